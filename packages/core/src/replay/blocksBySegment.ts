import type { ReplaySegment } from "./replayRun.js";

/**
 * Buffers grouped by the segment that holds their block's address, each group in address order:
 * `live` are indexes into `segments` (they must not overlap), `buffers` the placed buffers to
 * group; a buffer outside every live segment is left out. By address, not by a run's
 * `segmentOf`: an expandable segment's ranges are recorded anew as they grow.
 */
export function blocksBySegment(segments: readonly ReplaySegment[], live: number[], buffers: number[], address: ArrayLike<number>): Map<number, number[]> {
  const by = new Map<number, number[]>();
  const order = [...live].sort((x, y) => segments[x].address - segments[y].address);
  for (const k of order) by.set(k, []);
  const placed = [...buffers].sort((x, y) => address[x] - address[y]);
  let s = 0;
  for (const b of placed) {
    while (s < order.length && segments[order[s]].address + segments[order[s]].bytes <= address[b]) s++;
    if (s < order.length && segments[order[s]].address <= address[b]) by.get(order[s])!.push(b);
  }
  return by;
}
