import { timeline } from "@hbmscope/core";
import { timelineChart } from "@hbmscope/viz";
import { syntheticTrace } from "./syntheticTrace.js";
import { measure, report } from "./measure.js";

/** Rendering a 1M-event timeline chart: time (target < 300 ms) and SVG size (target < 500 KB). */
export function vizBench() {
  const N = 1_000_000;
  const trace = syntheticTrace(N);
  const tl = timeline(trace, { byCategory: true });
  const render = measure(() => timelineChart(tl, { trace }));
  const svg = timelineChart(tl, { trace }).svg;
  const bytes = Buffer.byteLength(svg);
  report("timelineChart, 1M events (layout + SVG, from a by-category Timeline)", render, N);
  console.log(`  time target < 300 ms: ${render < 300 ? "met" : "MISSED"}; SVG ${(bytes / 1e3).toFixed(0)} KB (target < 500 KB: ${bytes < 500e3 ? "met" : "MISSED"})`);
  const fromTrace = measure(() => timelineChart(trace), { runs: 3 });
  report("timelineChart, 1M events from the Trace (timeline by category included)", fromTrace, N);
}
