import { bfcAllocator, cachingAllocator, ideal, plannedArena, replay, traceColumns, type Allocator } from "@hbmscope/core";
import { syntheticTrace } from "./syntheticTrace.js";
import { measure, report } from "./measure.js";

/**
 * Allocator replay throughput on a generated 1M-event trace: events/s per allocator and its reserved
 * peak as a ratio to `ideal`'s. Targets: caching and bfc >= 5M events/s, planned under 2 s.
 */
export function allocBench() {
  const N = 1_000_000;
  const trace = syntheticTrace(N);
  traceColumns(trace); // columns are built once per trace, outside the timings
  const idealPeak = replay(trace, ideal()).peaks.reserved.bytes;
  const cases: [string, Allocator, number | undefined][] = [
    ["ideal", ideal(), undefined],
    ["caching", cachingAllocator(), 5e6],
    ["bfc", bfcAllocator(), 5e6],
    ["planned", plannedArena(), 0.5e6],
  ];
  for (const [name, allocator, target] of cases) {
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = 0;
    const ms = measure(
      () => {
        const run = replay(trace, allocator);
        peak = run.peaks.reserved.bytes;
      },
      { runs: name === "planned" ? 1 : 5 },
    );
    const heap = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    report(`replay ${name}, 1M events`, ms, N, target);
    console.log(`  reserved peak ${(peak / 2 ** 30).toFixed(3)} GiB, ${(peak / idealPeak).toFixed(3)}x ideal; heap after ${heap.toFixed(0)} MiB more`);
  }
}
