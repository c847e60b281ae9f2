/**
 * The laws every allocator model obeys, as one suite: `allocatorLaws(label, make)` registers
 * property tests (fast-check, random traces from `@hbmscope/core/testing`) for one allocator.
 */
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { ideal, largestFreeAt, replay, stateAt, type Allocator, type ReplayRun, type Trace } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";

/** Random traces (all views, kernel temporaries and references) with random emptyCache marks. */
export const lawTrace = fc
  .tuple(traceArbitrary({ maxBuffers: 24, views: true }), fc.array(fc.nat(), { maxLength: 3 }))
  .map(([t, cuts]): Trace => ({
    ...t,
    marks: [...t.marks, ...cuts.map((c) => ({ at: c % (t.events.length + 1), label: "emptyCache" }))],
  }));

const views = fc.constantFrom("backend" as const, "physical" as const, "logical" as const);

/** Live placed blocks after event i, per buffer: [address, end, segment]. */
function liveBlocks(run: ReplayRun, i: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < run.allocAt.length; b++) {
    if (run.allocAt[b] >= 0 && run.allocAt[b] <= i && !(run.freeAt[b] >= 0 && run.freeAt[b] <= i) && run.segmentOf[b] >= 0) out.push(b);
  }
  return out;
}

export function allocatorLaws(label: string, make: () => Allocator, { segments = true } = {}) {
  describe(`allocatorLaws: ${label}`, () => {
    test.prop([lawTrace, views])(`${label}: live blocks never overlap and lie inside live segments`, (trace, view) => {
      const run = replay(trace, make(), { view });
      for (let i = 0; i < run.length; i++) {
        const live = liveBlocks(run, i).sort((a, b) => run.address[a] - run.address[b]);
        for (let k = 0; k < live.length; k++) {
          const b = live[k];
          // The live segment holding the block (by address: expandable ranges are recorded anew as they grow).
          const seg = run.segments.find((x) => x.reservedAt <= i && (x.releasedAt < 0 || x.releasedAt > i) && x.address <= run.address[b] && run.address[b] < x.address + x.bytes);
          if (seg === undefined) throw new Error(`buffer ${b}'s block at ${run.address[b]} lies in no live segment after event ${i}`);
          expect(run.address[b]).toBeGreaterThanOrEqual(seg.address);
          expect(run.address[b] + run.blockBytes[b]).toBeLessThanOrEqual(seg.address + seg.bytes);
          if (k > 0) expect(run.address[b]).toBeGreaterThanOrEqual(run.address[live[k - 1]] + run.blockBytes[live[k - 1]]);
        }
        const segs = stateAt(run, i).segments;
        for (let k = 1; k < segs.length; k++) expect(segs[k].address).toBeGreaterThanOrEqual(segs[k - 1].address + segs[k - 1].bytes);
      }
    });

    test.prop([lawTrace, views])(`${label}: requested <= allocated <= reserved after every event`, (trace, view) => {
      const run = replay(trace, make(), { view });
      for (let i = 0; i < run.length; i++) {
        expect(run.requested[i]).toBeLessThanOrEqual(run.allocated[i]);
        expect(run.allocated[i]).toBeLessThanOrEqual(run.reserved[i]);
      }
    });

    if (segments) {
      test.prop([lawTrace, views])(`${label}: free_internal + free_external + allocated == reserved (PyTorch's memory viz)`, (trace, view) => {
        const run = replay(trace, make(), { view });
        for (let i = 0; i < run.length; i++) {
          const snap = stateAt(run, i);
          let reserved = 0;
          let requested = 0;
          let internal = 0;
          let external = 0;
          for (const s of snap.segments) {
            reserved += s.bytes;
            expect(s.blocks.reduce((sum, b) => sum + b.bytes, 0)).toBe(s.bytes);
            for (const b of s.blocks) {
              if (b.state === "allocated") {
                requested += b.requested;
                internal += b.bytes - b.requested;
              } else external += b.bytes;
            }
          }
          expect(reserved).toBe(run.reserved[i]);
          expect(requested).toBe(run.requested[i]);
          expect(internal + external + requested).toBe(run.reserved[i]);
        }
      });
    }

    test.prop([lawTrace, views])(`${label}: largestFreeAt is the largest free block stateAt lists, after every event`, (trace, view) => {
      const run = replay(trace, make(), { view });
      for (let i = -1; i < run.length; i++) {
        let largest = 0;
        for (const s of stateAt(run, i).segments) for (const b of s.blocks) if (b.state === "free" && b.bytes > largest) largest = b.bytes;
        expect([i, largestFreeAt(run, i)]).toEqual([i, largest]);
      }
    });

    test.prop([lawTrace, views])(`${label}: reserved peak >= the ideal peak`, (trace, view) => {
      const run = replay(trace, make(), { view });
      expect(run.peaks.reserved.bytes).toBeGreaterThanOrEqual(replay(trace, ideal(), { view }).peaks.reserved.bytes);
      expect(run.peaks.requested.bytes).toBe(replay(trace, ideal(), { view }).peaks.reserved.bytes);
    });

    test.prop([lawTrace])(`${label}: the same trace gives the same run`, (trace) => {
      const a = replay(trace, make());
      const b = replay(structuredClone(trace), make());
      expect(b).toEqual(a);
    });

    test.prop([lawTrace, fc.double({ min: 0, max: 1.3, noNaN: true })])(`${label}: exceeding the capacity is always reported as OOM`, (trace, fraction) => {
      const unlimited = replay(trace, make());
      const capacity = Math.floor(unlimited.peaks.reserved.bytes * fraction);
      const run = replay(trace, make(), { capacity });
      for (let i = 0; i < run.length; i++) expect(run.reserved[i]).toBeLessThanOrEqual(capacity);
      const idealPeak = replay(trace, ideal()).peaks.reserved.bytes;
      if (idealPeak > capacity) expect(run.oom).not.toBeNull();
      if (capacity >= unlimited.peaks.reserved.bytes) expect(run.oom).toBeNull();
      if (run.oom) {
        expect(run.oom.index).toBe(run.length - 1);
        expect(trace.events[run.oom.index].kind).toBe("alloc");
        expect(run.oom.allocated + run.oom.reservedUnallocated + run.oom.free).toBe(capacity);
      } else expect(run.length).toBe(trace.events.length);
    });
  });
}
