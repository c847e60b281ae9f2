import { traceBuilder, type Trace } from "@hbmscope/core";
import { REPORT_ALLOCATORS, whatIf } from "../whatIf.js";

/** A small trace of its own that takes every allocator through its paths: both pools, splits, merges, new segments. */
export function warmUpTrace(events = 3000): Trace {
  const b = traceBuilder({ source: "warm-up" });
  let seed = 12345;
  // A linear congruential generator (Numerical Recipes' constants): the same trace every time.
  const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const live: number[] = [];
  while (b.length < events) {
    if (live.length === 0 || next() < 0.55) {
      // Mostly small blocks (under 1 MiB), some large ones (1 to 64 MiB).
      const bytes = next() < 0.8 ? 256 + Math.floor(next() * 2 ** 20) : 2 ** 20 + Math.floor(next() * 63 * 2 ** 20);
      live.push(b.alloc({ bytes, category: "activation" }));
    } else {
      // Freed mostly like a stack, sometimes out of order.
      const k = next() < 0.7 ? live.length - 1 : Math.floor(next() * live.length);
      b.free(live[k]);
      live[k] = live[live.length - 1];
      live.pop();
    }
  }
  return b.build();
}

/**
 * Replays a small trace of its own through every allocator a report offers (`REPORT_ALLOCATORS`),
 * so that the worker's JavaScript engine has compiled and optimised the replay for each of them
 * before the first what-if asks: a fresh worker otherwise spends part of the first replay of each
 * allocator compiling it (about 170 ms of bfc's in Chromium against the same replay in Node).
 * Returns each allocator's reserved peak on that trace, bytes. A few tens of milliseconds.
 */
export function warmUpWhatIf(): Record<string, number> {
  const trace = warmUpTrace();
  const out: Record<string, number> = {};
  for (const allocator of REPORT_ALLOCATORS) out[allocator] = whatIf(trace, allocator).peaks.reserved.bytes;
  return out;
}
