import { describe, expect, it } from "vitest";
import { parseTrace, serializeTrace, serializeTraceChunks, TraceError } from "@hbmscope/core";

const trace = (bytes: number) => ({ format: "hbmscope.trace" as const, version: 1 as const, meta: {}, buffers: [{ id: 0, bytes, category: "activation" as const }], events: [{ kind: "alloc" as const, buffer: 0 }], marks: [] });

describe("one size rule for writer and reader", () => {
  it("parseTrace() says a size beyond 2^53 is beyond 2^53, not that it is not an integer", () => {
    expect(() => parseTrace(JSON.stringify(trace(6.4e19)))).toThrow(
      "buffers[0]: bytes 64000000000000000000 is beyond 2^53 - 1 (9007199254740991 bytes, about 8 PiB), the largest size a trace holds exactly",
    );
    expect(() => parseTrace(JSON.stringify(trace(-1)))).toThrow("buffers[0]: bytes must be a non-negative integer, got -1");
  });

  it("serializeTrace() and serializeTraceChunks() refuse what parseTrace() would refuse", () => {
    for (const bytes of [6.4e19, 1.5, -1]) {
      expect(() => serializeTrace(trace(bytes))).toThrow(TraceError);
      expect(() => Array.from(serializeTraceChunks(trace(bytes)))).toThrow(TraceError);
      expect(() => parseTrace(JSON.stringify(trace(bytes)))).toThrow(TraceError);
    }
    expect(parseTrace(serializeTrace(trace(2 ** 53 - 1))).buffers[0].bytes).toBe(2 ** 53 - 1);
  });
});
