/**
 * Script-level check of the WebAssembly replay (not a test: 1M-event traces take seconds): on the
 * bench's training and adversarial traces, the whole ReplayRun of the wasm engine equals the JS
 * engine's, element by element, for the caching allocator (with and without expandable segments)
 * and the BFC allocator (also with a capacity that
 * runs out, and with emptyCache marks); then times both, interleaved, after a warm-up.
 *
 * Run: node --expose-gc --import tsx --conditions=source scripts/wasmReplayCheck.ts [events] [runs] [allocator...]
 */
import { isDeepStrictEqual } from "node:util";
import { bfcAllocator, cachingAllocator, traceColumns, type Allocator, type ReplayOptions, type ReplayRun, type Trace } from "@hbmscope/core";
import { replayWith, EMPTY_CACHE, type ReplayEngine } from "../packages/core/src/replay/replay.js";
import { trainingTrace } from "../bench/trainingTrace.js";
import { syntheticTrace } from "../bench/syntheticTrace.js";

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 5);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const allocators: [string, () => Allocator][] = [
  ["caching", () => cachingAllocator()],
  ["expandable", () => cachingAllocator({ expandableSegments: true })],
  ["bfc", () => bfcAllocator()],
];
// `node ... wasmReplayCheck.ts 1000000 5 expandable`: only the allocators named.
const only = process.argv.slice(4);
if (only.length) allocators.splice(0, allocators.length, ...allocators.filter(([name]) => only.includes(name)));

/** The first difference between two runs (a field and an index), or null when they are equal. */
function difference(a: ReplayRun, b: ReplayRun): string | null {
  for (const key of Object.keys(a) as (keyof ReplayRun)[]) {
    const x = a[key];
    const y = b[key];
    if (ArrayBuffer.isView(x) && ArrayBuffer.isView(y)) {
      const xs = x as unknown as ArrayLike<number>;
      const ys = y as unknown as ArrayLike<number>;
      if (xs.length !== ys.length) return `${key}: length ${xs.length} vs ${ys.length}`;
      for (let i = 0; i < xs.length; i++) if (!Object.is(xs[i], ys[i])) return `${key}[${i}]: js ${xs[i]} vs wasm ${ys[i]}`;
    } else if (!isDeepStrictEqual(x, y)) return `${key}: ${JSON.stringify(x).slice(0, 200)} vs ${JSON.stringify(y).slice(0, 200)}`;
  }
  return null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const range = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;

let failed = false;
for (const [label, make] of [["training", trainingTrace], ["adversarial", syntheticTrace]] as const) {
  const trace: Trace = make(EVENTS);
  traceColumns(trace);
  const n = trace.events.length;
  // A copy with emptyCache marks every n/7 events (and one past the end).
  const marked: Trace = { ...trace, marks: [...trace.marks, ...[1, 2, 3, 4, 5, 6, 8].map((k) => ({ at: Math.floor((k * n) / 7), label: EMPTY_CACHE }))] };
  for (const [name, allocator] of allocators) {
    const full = replayWith(trace, allocator(), {}, "js");
    const cases: [string, Trace, ReplayOptions][] = [
      ["default", trace, {}],
      ["emptyCache marks", marked, {}],
      ["capacity 90% of the reserved peak (OOM)", trace, { capacity: Math.floor(full.peaks.reserved.bytes * 0.9) }],
      ["capacity 110% of the allocated peak", trace, { capacity: Math.floor(full.peaks.allocated.bytes * 1.1) }],
    ];
    for (const [what, t, options] of cases) {
      const js = replayWith(t, allocator(), options, "js");
      const wasm = replayWith(t, allocator(), options, "wasm");
      const diff = difference(js, wasm);
      if (diff) failed = true;
      console.log(`${name} ${label} (${n} events), ${what}: ${diff ? `DIFFERENT: ${diff}` : "identical"}${js.oom ? `, OOM at ${js.oom.index}` : ""}`);
    }
    const times: Record<ReplayEngine, number[]> = { auto: [], js: [], wasm: [] };
    for (let r = -1; r < RUNS; r++) {
      for (const engine of ["js", "wasm"] as const) {
        gc();
        const t0 = performance.now();
        replayWith(trace, allocator(), {}, engine);
        if (r >= 0) times[engine].push(performance.now() - t0);
      }
    }
    const rate = (xs: number[]) => `${(n / median(xs) / 1000).toFixed(2)}M events/s`;
    console.log(`  whole replay(), median (range) of ${RUNS}: js ${range(times.js)} ${rate(times.js)}; wasm ${range(times.wasm)} ${rate(times.wasm)}; ${(median(times.js) / median(times.wasm)).toFixed(2)}x`);
  }
}
if (failed) process.exitCode = 1;
