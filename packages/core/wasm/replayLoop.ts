// replay.ts's loop (replayEvents), once for both allocators: each entry resets its allocator, then
// runs `loop` with its kind, a constant, so that the compiler specialises the loop to that
// allocator's alloc, free and release (the same code as a loop written out per allocator).
import { n, marks, pMarks, bufferBytes, inView, allocAt, setAllocated, setFreeAt, pReserved, pAllocated, pRequested, pEventBuffer, pEventAlloc } from "./replayLayout";
import { setTotals } from "./replayTotals";
import { finish } from "./replaySummary";
import * as caching from "./cachingReplay";
import * as bfc from "./bfcReplay";

const CACHING: i32 = 0;
const BFC: i32 = 1;

/**
 * PyTorch's caching allocator over the events, after `layout` (see `cachingStart` for the
 * arguments), then `finish`. Returns the index of the event that ran out of memory (its totals recorded), or -1.
 */
export function replayCaching(capacityBytes: f64, maxSplit: f64, maxNonSplitRounding: f64, divisions: bool, addressSpace: f64): i32 {
  caching.cachingStart(capacityBytes, maxSplit, maxNonSplitRounding, divisions, addressSpace);
  return finish(loop(CACHING));
}

/**
 * TensorFlow's BFC allocator over the events, after `layout` (see `bfcStart` for the arguments).
 * Then `finish`. Returns the index of the event that ran out of memory (its totals recorded), or -1.
 */
export function replayBfc(limitBytes: f64, firstRegion: f64, maxFragmentation: f64, collect: bool): i32 {
  bfc.bfcStart(limitBytes, firstRegion, maxFragmentation, collect);
  return finish(loop(BFC));
}

@inline function release(kind: i32, event: i32): void {
  if (kind == CACHING) caching.releaseCachedBlocks(event);
  else bfc.releaseFreeRegions(event);
}

@inline function reserved(kind: i32): f64 {
  return kind == CACHING ? caching.reserved : bfc.reserved;
}

@inline function allocated(kind: i32): f64 {
  return kind == CACHING ? caching.allocated : bfc.allocated;
}

/** The events in order: emptyCache marks release before their event; an alloc that fails ends it. */
@inline function loop(kind: i32): i32 {
  let live: f64 = 0;
  let mark = 0;
  let nextMark = marks > 0 ? load<i32>(pMarks) : n + 1;
  const events = n;
  for (let i = 0; i < events; i++) {
    while (nextMark <= i) {
      release(kind, i);
      mark++;
      nextMark = mark < marks ? load<i32>(pMarks + (<usize>mark << 2)) : n + 1;
    }
    const b = load<i32>(pEventBuffer + (<usize>i << 2));
    if (inView(b)) {
      if (load<u8>(pEventAlloc + <usize>i) != 0) {
        const size = bufferBytes(b);
        if (!(kind == CACHING ? caching.alloc(b, i) : bfc.alloc(b, i))) {
          const e = <usize>i << 3;
          store<f64>(pReserved + e, reserved(kind));
          store<f64>(pAllocated + e, allocated(kind));
          store<f64>(pRequested + e, live);
          setTotals(reserved(kind), allocated(kind));
          return i;
        }
        setAllocated(b, i, size);
        live += size;
      } else if (allocAt(b) >= 0) {
        if (kind == CACHING) caching.free(b);
        else bfc.free(b);
        setFreeAt(b, i);
        live -= bufferBytes(b);
      }
    }
    const e = <usize>i << 3;
    store<f64>(pReserved + e, reserved(kind));
    store<f64>(pAllocated + e, allocated(kind));
    store<f64>(pRequested + e, live);
  }
  // Marks after the last event still release (they show in the segments' releasedAt).
  while (mark < marks) release(kind, load<i32>(pMarks + (<usize>(mark++) << 2)));
  setTotals(reserved(kind), allocated(kind));
  return -1;
}
