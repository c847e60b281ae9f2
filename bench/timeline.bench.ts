import { parseTrace, serializeTrace, timeline } from "@hbmscope/core";
import { syntheticTrace } from "./syntheticTrace.js";
import { measure, report } from "./measure.js";

/** Timeline throughput on 1M events, from parsed JSON (conversion to columns included). */
export async function timelineBench() {
  const N = 1_000_000;
  const json = serializeTrace(syntheticTrace(N));
  const fresh = () => parseTrace(JSON.parse(json));
  const traces = Array.from({ length: 2 }, fresh);
  let k = 0;
  const ms = measure(() => timeline(traces[k++ % traces.length]), { runs: traces.length });
  report("timeline, 1M events from parsed JSON (columns built)", ms, N, 30e6);
  const withSeries = measure(() => timeline(traces[k++ % traces.length], { byCategory: true }), { runs: traces.length });
  report("timeline with per-category series, 1M events", withSeries, N);
  const parse = measure(() => parseTrace(JSON.parse(json)), { runs: 3 });
  report("JSON.parse + parseTrace, 1M events", parse, N);
  return { json };
}
