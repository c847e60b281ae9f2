import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { cachingAllocator, replay, traceColumns } from "@hbmscope/core";
import { lawTrace } from "./allocatorLaws.js";
import { ReferenceCachingAllocator } from "./referenceCachingAllocator.js";

test.prop([lawTrace, fc.option(fc.integer({ min: 0, max: 200 * 2 ** 20 }), { nil: undefined })], { numRuns: 300 })(
  "cachingAllocator() matches a slow linear-scan reference allocator event by event",
  (trace, capacity) => {
    const run = replay(trace, cachingAllocator(), { capacity, view: "backend" });
    const ref = new ReferenceCachingAllocator(capacity);
    const { bytes, views, eventBuffer, eventAlloc } = traceColumns(trace);
    const emptyAt = trace.marks.filter((m) => m.label === "emptyCache").map((m) => m.at);
    for (let i = 0; i < run.length; i++) {
      for (const at of emptyAt) if (at === i) ref.emptyCache();
      const b = eventBuffer[i];
      if (!(views[b] & 4)) {
        // not in the backend view: the allocator never sees it
      } else if (eventAlloc[i]) {
        const ok = ref.alloc(b, bytes[b]);
        expect(ok).toBe(run.oom?.index !== i);
        if (!ok) break;
        if (bytes[b] > 0) {
          expect(run.address[b]).toBe(ref.address.get(b));
          expect(run.blockBytes[b]).toBe(ref.blockBytes.get(b));
        }
      } else ref.free(b);
      expect(run.reserved[i]).toBe(ref.reserved);
      expect(run.allocated[i]).toBe(ref.allocated);
    }
  },
);
