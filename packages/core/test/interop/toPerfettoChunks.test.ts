import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { cachingAllocator, replay, toPerfetto, toPerfettoChunks, type Trace } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";

/** The pieces joined, and what the generator returned. */
function drain(trace: Trace, options: Parameters<typeof toPerfettoChunks>[1]): { text: string; count: number } {
  const gen = toPerfettoChunks(trace, options);
  const pieces: string[] = [];
  let r = gen.next();
  for (; !r.done; r = gen.next()) pieces.push(r.value);
  return { text: pieces.join(""), count: r.value };
}

describe("toPerfettoChunks", () => {
  test.prop([traceArbitrary({ maxBuffers: 15 }), fc.integer({ min: 1, max: 40 }), fc.boolean()])(
    "toPerfettoChunks() joined is JSON.stringify(toPerfetto()) exactly, and returns the record count",
    (t, per, withRun) => {
      const run = withRun ? replay(t, cachingAllocator(), { view: "physical" }) : undefined;
      const doc = toPerfetto(t, { run, name: "x" });
      const { text, count } = drain(t, { run, name: "x", recordsPerChunk: per });
      expect(text).toBe(JSON.stringify(doc));
      expect(count).toBe(doc.traceEvents.length);
    },
  );

  it("toPerfettoChunks() refuses a recordsPerChunk that is not a positive integer", () => {
    const t = { format: "hbmscope.trace", version: 1, meta: {}, buffers: [], events: [], marks: [] } as Trace;
    for (const bad of [0, -2, 2.5, NaN]) {
      expect(() => drain(t, { recordsPerChunk: bad })).toThrow(`toPerfettoChunks: recordsPerChunk must be a positive integer, got ${bad}`);
    }
  });
});
