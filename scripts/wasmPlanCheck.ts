/**
 * Script-level check of the planned arena's plan in WebAssembly (not a test: 1M-event traces take
 * seconds): on the bench's 1M-event training trace and, when it is there, the bench's 1M-entry
 * snapshot (/tmp/hbmscope-bench-data-v1/snapshot-1m.json, written by the bench), the wasm plan's
 * offsets, sizes, arena and progress calls equal the JS plan's (`planArena`), element by element;
 * then the plan alone is timed in both engines, interleaved, after a warm-up.
 *
 * Run: node --expose-gc --max-old-space-size=8192 --import tsx --conditions=source scripts/wasmPlanCheck.ts [events] [runs] [snapshot.json]
 */
import { existsSync, readFileSync } from "node:fs";
import { importTorchSnapshot, traceColumns, type Trace } from "@hbmscope/core";
import type { AllocatorInput } from "../packages/core/src/replay/allocator.js";
import { planArenaWith, type PlanEngine } from "../packages/core/src/replay/allocators/plannedArena.js";
import { replayWasmInstance } from "../packages/core/src/replay/wasm/replayWasmInstance.js";
import { trainingTrace } from "../bench/trainingTrace.js";

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 5);
const SNAPSHOT = process.argv[4] ?? "/tmp/hbmscope-bench-data-v1/snapshot-1m.json";
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
/** The backend view's bit in traceColumns' views (replay's default view). */
const BACKEND = 4;

function inputOf(trace: Trace): AllocatorInput {
  const { bytes, views, eventBuffer, eventAlloc } = traceColumns(trace);
  return { bytes, inView: Uint8Array.from(views, (v) => (v & BACKEND ? 1 : 0)), eventBuffer, eventAlloc, capacity: Infinity };
}

function plan(input: AllocatorInput, engine: PlanEngine) {
  const calls: [number, number][] = [];
  const t0 = performance.now();
  const result = planArenaWith(input, 64, { onProgress: (placed, total) => calls.push([placed, total]) }, engine);
  return { ...result, calls, ms: performance.now() - t0 };
}

/** The first difference between two plans, or null. */
function difference(a: ReturnType<typeof plan>, b: ReturnType<typeof plan>): string | null {
  for (const key of ["offset", "size"] as const) {
    if (a[key].length !== b[key].length) return `${key}: length ${a[key].length} vs ${b[key].length}`;
    for (let i = 0; i < a[key].length; i++) if (!Object.is(a[key][i], b[key][i])) return `${key}[${i}]: js ${a[key][i]} vs wasm ${b[key][i]}`;
  }
  if (a.arena !== b.arena) return `arena: js ${a.arena} vs wasm ${b.arena}`;
  if (JSON.stringify(a.calls) !== JSON.stringify(b.calls)) return `progress calls: js ${a.calls.length} vs wasm ${b.calls.length}`;
  return null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const range = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;

const traces: [string, () => Trace][] = [["training", () => trainingTrace(EVENTS)]];
if (existsSync(SNAPSHOT)) traces.push(["snapshot", () => importTorchSnapshot(readFileSync(SNAPSHOT, "utf8"))]);
else console.log(`${SNAPSHOT} not found: the training trace only`);

let failed = false;
for (const [label, make] of traces) {
  const trace = make();
  const input = inputOf(trace);
  const js = plan(input, "js");
  const wasm = plan(input, "wasm");
  const diff = difference(js, wasm);
  if (diff) failed = true;
  const placed = js.calls.at(-1)?.[1] ?? 0;
  console.log(`${label} (${input.eventBuffer.length} events, ${placed} buffers placed, arena ${js.arena} bytes, ${js.calls.length} progress calls): ${diff ? `DIFFERENT: ${diff}` : "identical"}; first plans in this process: js ${js.ms.toFixed(0)} ms, wasm ${wasm.ms.toFixed(0)} ms; the module's memory now ${((replayWasmInstance()?.memory.buffer.byteLength ?? 0) / 2 ** 20).toFixed(0)} MiB`);
  const times: Record<"js" | "wasm", number[]> = { js: [], wasm: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const engine of ["js", "wasm"] as const) {
      gc();
      times[engine].push(plan(input, engine).ms);
    }
  }
  console.log(`  plan alone (planArenaWith, with onProgress), median (range) of ${RUNS}: js ${range(times.js)}; wasm ${range(times.wasm)}; ${(median(times.js) / median(times.wasm)).toFixed(2)}x`);
}
if (failed) process.exit(1);
