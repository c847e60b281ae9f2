import { checkIndex, liveBlocks } from "./liveBlocks.js";
import type { ReplayRun } from "./replayRun.js";

/** Largest free block inside reserved segments right after event `index`. */
export function largestFreeAt(run: ReplayRun, index: number): number {
  checkIndex(run, index);
  let largest = 0;
  for (const [k, live] of liveBlocks(run, index)) {
    const seg = run.segments[k];
    let at = seg.address;
    for (const b of live) {
      largest = Math.max(largest, run.address[b] - at);
      at = run.address[b] + run.blockBytes[b];
    }
    largest = Math.max(largest, seg.address + seg.bytes - at);
  }
  return largest;
}
