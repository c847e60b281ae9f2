import { bfcAllocator, cachingAllocator, ideal, plannedArena, replay, traceColumns, type Allocator, type Trace } from "@hbmscope/core";
import { syntheticTrace } from "./syntheticTrace.js";
import { trainingTrace } from "./trainingTrace.js";

/** Median wall and CPU milliseconds of `runs` replays after one warm-up. */
function time(fn: () => void, runs: number): { wall: number; cpu: number } {
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { wall: median(wall), cpu: median(cpu) };
}

interface Case {
  label: string;
  trace: Trace;
  /** The ideal allocator's wall ms and reserved peak on this trace. */
  idealMs: number;
  idealPeak: number;
}

function makeCase(label: string, trace: Trace, runs: number): Case {
  traceColumns(trace); // columns are built once per trace, outside the timings
  const idealPeak = replay(trace, ideal()).peaks.reserved.bytes;
  const t = time(() => replay(trace, ideal()), runs);
  const n = trace.events.length;
  console.log(`[${label}] ideal: ${n} events, ${t.wall.toFixed(1)} ms wall (cpu ${t.cpu.toFixed(0)} ms), ${mps(n, t.wall)}; reserved peak ${gib(idealPeak)}`);
  return { label, trace, idealMs: t.wall, idealPeak };
}

const mps = (events: number, ms: number) => `${((events / ms) * 1000 / 1e6).toFixed(2)}M events/s`;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/**
 * One allocator on one case: wall and CPU time (the machine is shared: CPU time shows the work
 * itself, wall time what a user waits), events/s, time relative to `ideal` (the replay loop with
 * no allocator work), reserved peak relative to `ideal`'s, and the target as events/s.
 */
function row(c: Case, name: string, allocator: Allocator, targetPerSecond: number, runs: number) {
  const n = c.trace.events.length;
  let peak = 0;
  const t = time(() => {
    peak = replay(c.trace, allocator).peaks.reserved.bytes;
  }, runs);
  const verdict = (ms: number) => ((n / ms) * 1000 >= targetPerSecond ? "met" : "MISSED");
  console.log(
    `[${c.label}] ${name}: ${t.wall.toFixed(1)} ms wall, ${mps(n, t.wall)} (${(t.wall / c.idealMs).toFixed(2)}x ideal's time); ` +
      `cpu ${t.cpu.toFixed(0)} ms, ${mps(n, t.cpu)}`,
  );
  console.log(
    `  target ${(targetPerSecond / 1e6).toFixed(1)}M events/s: ${verdict(t.wall)} by wall, ${verdict(t.cpu)} by cpu; ` +
      `reserved peak ${gib(peak)} = ${(peak / c.idealPeak).toFixed(3)}x ideal; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
}

/**
 * Allocator replay throughput on two 1M-event traces, labelled:
 * - `training`: Llama-2-7B training steps (bench/trainingTrace.ts), a few thousand buffers live at
 *   once, stack-like activations: what a real step looks like;
 * - `adversarial`: bench/syntheticTrace.ts, a random walk that keeps ~50k buffers live at its
 *   midpoint (152 GiB reserved at the peak): a stress case for the free-block index.
 * Targets (issue 4): caching and bfc >= 5M events/s (1M events in 200 ms), planned 1M events in
 * under 2 s (0.5M events/s).
 */
export function allocBench() {
  const N = 1_000_000;
  // plannedArena runs on the full training trace; on the adversarial one, whose unions of placed
  // offsets fragment (50k live buffers), on a 30k-event prefix of the same generator.
  for (const [label, make, plannedN] of [
    ["training", trainingTrace, N],
    ["adversarial", syntheticTrace, 30_000],
  ] as const) {
    const c = makeCase(label, make(N), 5);
    row(c, "caching", cachingAllocator(), 5e6, 5);
    row(c, "caching, expandable segments", cachingAllocator({ expandableSegments: true }), 5e6, 5);
    row(c, "bfc", bfcAllocator(), 5e6, 5);
    const p = plannedN === N ? c : makeCase(`${label} ${plannedN / 1000}k`, make(plannedN), 5);
    row(p, "planned", plannedArena(), 0.5e6, 1);
  }
}
