import { blocksBySegment } from "./blocksBySegment.js";
import type { ReplayRun } from "./replayRun.js";

/** Throws unless `index` is an event index of `run` (or -1, before the first event). */
export function checkIndex(run: ReplayRun, index: number) {
  if (!Number.isInteger(index) || index < -1 || index >= run.length) {
    throw new Error(`stateAt: index must be an event index in -1..${run.length - 1} of this run, got ${index}`);
  }
}

function liveSegments(run: ReplayRun, index: number): number[] {
  const out: number[] = [];
  run.segments.forEach((s, k) => {
    if (s.reservedAt <= index && (s.releasedAt < 0 || s.releasedAt > index)) out.push(k);
  });
  return out;
}

/** Live placed buffers per live segment after event `index`, each sorted by address. */
export function liveBlocks(run: ReplayRun, index: number): Map<number, number[]> {
  const { allocAt, freeAt, address, segmentOf } = run;
  const placed: number[] = [];
  for (let b = 0; b < allocAt.length; b++) {
    const at = allocAt[b];
    if (at < 0 || at > index || (freeAt[b] >= 0 && freeAt[b] <= index) || segmentOf[b] < 0) continue;
    placed.push(b);
  }
  return blocksBySegment(run.segments, liveSegments(run, index), placed, address);
}
