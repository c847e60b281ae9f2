import { parseTrace, readTraceSource, serializeTrace, timeline, type Trace } from "@hbmscope/core";
import { syntheticTrace } from "./syntheticTrace.js";
import { measure, report } from "./measure.js";

/**
 * Timeline throughput on 1M events. Three figures: the timeline of a validated trace (its columns
 * were built by parseTrace during validation), the timeline of a plain parsed-JSON object (columns
 * built here), and validation plus timeline together.
 */
export async function timelineBench() {
  const N = 1_000_000;
  const json = serializeTrace(syntheticTrace(N));
  const raw = () => JSON.parse(json) as Trace;
  // The chunked reader (the CLI's for every trace hbmscope writes), against JSON.parse + parseTrace
  // on the same text: first, while no other parsed trace is alive (a heap of several 1M-event traces
  // makes every collection the typed arrays' growth asks for cost far more than in a CLI process).
  const bytes = new TextEncoder().encode(json);
  const chunks = () => Array.from({ length: Math.ceil(bytes.length / 2 ** 22) }, (_, i) => bytes.subarray(i * 2 ** 22, (i + 1) * 2 ** 22));
  const whole = measure(() => parseTrace(JSON.parse(json)), { runs: 3 });
  const streamed = measure(() => readTraceSource(chunks), { runs: 3 });
  report("JSON.parse + parseTrace, 1M events", whole, N);
  report("readTraceSource in 4 MiB chunks (lazy trace, columns only), 1M events", streamed, N);
  console.log(`  readTraceSource / parseTrace time: ${(streamed / whole).toFixed(2)}x`);
  const validated = [parseTrace(raw()), parseTrace(raw())];
  let k = 0;
  report("timeline of a validated trace, 1M events", measure(() => timeline(validated[k++ % 2]), { runs: 7 }), N, 30e6);
  const plain = [raw(), raw()];
  let j = 0;
  // Each plain object builds its columns once (then they are cached): measure first calls only.
  const firstCalls = plain.map((t) => {
    const t0 = performance.now();
    timeline(t);
    return performance.now() - t0;
  });
  report("timeline of a plain parsed-JSON object (columns built), 1M events", Math.min(...firstCalls), N, 30e6);
  const pieces = [raw(), raw(), raw()];
  report("parseTrace + timeline (validation included), 1M events", measure(() => timeline(parseTrace(pieces[j++ % 3])), { runs: 2 }), N);
  report("timeline with per-category series, 1M events", measure(() => timeline(validated[k++ % 2], { byCategory: true }), { runs: 3 }), N);
  return { json };
}
