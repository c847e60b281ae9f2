import { checkIndex } from "./liveBlocks.js";
import type { ReplayRun } from "./replayRun.js";

/**
 * Largest free block inside reserved segments right after event `index`, bytes: the largest gap
 * between a live segment's start, its live blocks in address order and its end (the free blocks
 * `stateAt` lists). Live blocks never overlap, so their starts and their ends sorted apart come in
 * the same order: two native numeric sorts of typed arrays replace a sort of the blocks by a
 * comparator (about 5x faster when 100k blocks are live, as on the bench's adversarial trace).
 */
export function largestFreeAt(run: ReplayRun, index: number): number {
  checkIndex(run, index);
  const { allocAt, freeAt, address, blockBytes, segmentOf } = run;
  const nb = allocAt.length;
  const live: number[] = [];
  for (let b = 0; b < nb; b++) {
    const at = allocAt[b];
    if (at >= 0 && at <= index && (freeAt[b] < 0 || freeAt[b] > index) && segmentOf[b] >= 0) live.push(b);
  }
  const count = live.length;
  const starts = new Float64Array(count);
  const ends = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const b = live[k];
    starts[k] = address[b];
    ends[k] = address[b] + blockBytes[b];
  }
  starts.sort();
  ends.sort();
  const segments = run.segments.filter((s) => s.reservedAt <= index && (s.releasedAt < 0 || s.releasedAt > index)).sort((x, y) => x.address - y.address);
  let largest = 0;
  let j = 0;
  for (const seg of segments) {
    const end = seg.address + seg.bytes;
    // Blocks outside every live segment are left out (as `stateAt` leaves them).
    while (j < count && starts[j] < seg.address) j++;
    let at = seg.address;
    for (; j < count && starts[j] < end; j++) {
      if (starts[j] - at > largest) largest = starts[j] - at;
      at = ends[j];
    }
    if (end - at > largest) largest = end - at;
  }
  return largest;
}
