// What replay.ts computes from a replay's series, computed here before the driver copies them out (one
// pass, no JS pass after the copy): freeInReserved per event, each series' peak, the fullest
// event of the reserved peak, and the largest free block there.
import { n, pReserved, pAllocated, pRequested, pFreeInReserved } from "./replayLayout";
import { largestFreeAt } from "./replayFragmentation";

/** Each series' peak (the first maximum above 0) and its event (-1 when none), bytes. */
export let peakReserved: f64 = 0;
export let peakReservedAt: i32 = -1;
export let peakAllocated: f64 = 0;
export let peakAllocatedAt: i32 = -1;
export let peakRequested: f64 = 0;
export let peakRequestedAt: i32 = -1;
/**
 * Of the events where reserved bytes are at their peak, the first with the most allocated bytes
 * (reserved memory is then at its fullest, so its free space is the fragmentation that matters).
 */
export let fullestAt: i32 = -1;
/**
 * The largest free block inside the live segments at `fullestAt` (replayFragmentation.ts), bytes; 0
 * when reserved memory is full there or there is no such event (replay.ts's `fragmentationAt`).
 */
export let largestFreeAtFullest: f64 = 0;

/**
 * Ends a replay that stopped at `stop` (the OOM event, or -1): zeroes the series after it (as the JS
 * engine leaves them), writes `freeInReserved = reserved - allocated` and the peaks over the events
 * up to it (replay.ts's `summarize`, the same rules). Returns `stop`.
 */
export function finish(stop: i32): i32 {
  const length = stop < 0 ? n : stop + 1;
  for (let i = length; i < n; i++) {
    const e = <usize>i << 3;
    store<f64>(pReserved + e, 0);
    store<f64>(pAllocated + e, 0);
    store<f64>(pRequested + e, 0);
    store<f64>(pFreeInReserved + e, 0);
  }
  let rBytes: f64 = 0;
  let rAt = -1;
  let aBytes: f64 = 0;
  let aAt = -1;
  let qBytes: f64 = 0;
  let qAt = -1;
  let fullest = -1;
  let fullestAllocated: f64 = 0;
  for (let i = 0; i < length; i++) {
    const e = <usize>i << 3;
    const r = load<f64>(pReserved + e);
    const a = load<f64>(pAllocated + e);
    const q = load<f64>(pRequested + e);
    store<f64>(pFreeInReserved + e, r - a);
    if (r > rBytes) {
      rBytes = r;
      rAt = i;
      fullest = i;
      fullestAllocated = a;
    } else if (rAt >= 0 && r == rBytes && a > fullestAllocated) {
      fullest = i;
      fullestAllocated = a;
    }
    if (a > aBytes) {
      aBytes = a;
      aAt = i;
    }
    if (q > qBytes) {
      qBytes = q;
      qAt = i;
    }
  }
  peakReserved = rBytes;
  peakReservedAt = rAt;
  peakAllocated = aBytes;
  peakAllocatedAt = aAt;
  peakRequested = qBytes;
  peakRequestedAt = qAt;
  fullestAt = fullest;
  largestFreeAtFullest = fullest >= 0 && fullestAllocated < rBytes ? largestFreeAt(fullest) : 0;
  return stop;
}
