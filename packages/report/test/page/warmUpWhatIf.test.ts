import { describe, expect, it } from "vitest";
import { replay, cachingAllocator, bfcAllocator, parseTrace, serializeTrace } from "@hbmscope/core";
import { REPORT_ALLOCATORS, whatIf } from "../../src/whatIf.js";
import { warmUpTrace, warmUpWhatIf } from "../../src/page/warmUpWhatIf.js";

describe("warmUpWhatIf", () => {
  it("warmUpTrace gives the same valid trace every time, with blocks for both pools of the caching allocator", () => {
    const trace = warmUpTrace();
    expect(trace.events.length).toBe(3000);
    expect(parseTrace(serializeTrace(trace))).toEqual(trace);
    expect(warmUpTrace()).toEqual(trace);
    const sizes = trace.buffers.map((b) => b.bytes);
    expect(sizes.some((s) => s <= 2 ** 20)).toBe(true);
    expect(sizes.some((s) => s > 2 ** 20)).toBe(true);
  });

  it("warmUpTrace takes the allocators through splits, merges and several segments", () => {
    const trace = warmUpTrace();
    const caching = replay(trace, cachingAllocator());
    expect(caching.segments.length).toBeGreaterThan(2);
    // Splits: some block is smaller than the segment holding it; merges: freed space is reused.
    expect(caching.peaks.reserved.bytes).toBeLessThan(trace.buffers.reduce((n, b) => n + b.bytes, 0));
    expect(replay(trace, bfcAllocator()).segments.length).toBeGreaterThan(1);
  });

  it("warmUpWhatIf replays the warm-up trace through every allocator a report offers", () => {
    const trace = warmUpTrace();
    const expected = Object.fromEntries(REPORT_ALLOCATORS.map((a) => [a, whatIf(trace, a).peaks.reserved.bytes]));
    expect(warmUpWhatIf()).toEqual(expected);
    // No allocator reserves less than the ideal one.
    expect(Math.min(...Object.values(expected))).toBe(expected.ideal);
  });
});
