import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { scanTraceEvent, type ScannedEvent } from "../../src/json/scanTraceEvent.js";

const scan = (text: string, at = 0) => {
  const out: ScannedEvent = { kind: "alloc", buffer: -1, time: -1 };
  const end = scanTraceEvent(text, at, out);
  return { end, out };
};

/** Events as serializeTrace writes them (JSON.stringify), with any time a JSON number can hold. */
const event = fc.record(
  {
    kind: fc.constantFrom("alloc", "free"),
    buffer: fc.oneof(fc.nat(1000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
    time: fc.oneof(fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1e6, max: 1e6 })),
  },
  { requiredKeys: ["kind", "buffer"] },
);

describe("scanTraceEvent", () => {
  it("scanTraceEvent reads an event as hbmscope writes it, and says where it ends", () => {
    const text = 'x{"kind":"free","buffer":12,"time":3.5},';
    expect(scan(text, 1)).toEqual({ end: text.length - 1, out: { kind: "free", buffer: 12, time: 3.5 } });
    expect(scan('{"kind":"alloc","buffer":0}').out).toEqual({ kind: "alloc", buffer: 0, time: NaN });
  });

  it.prop([event])("scanTraceEvent reads every event JSON.stringify writes exactly as JSON.parse does", (e) => {
    const text = JSON.stringify(e);
    const { end, out } = scan(text);
    const parsed = JSON.parse(text);
    if (end < 0) {
      // Only a buffer id past 15 digits is left to JSON.parse.
      expect(String(parsed.buffer).length).toBeGreaterThan(15);
      return;
    }
    expect(end).toBe(text.length);
    expect(out.kind).toBe(parsed.kind);
    expect(out.buffer).toBe(parsed.buffer);
    expect(Object.is(out.time, parsed.time ?? NaN)).toBe(true);
  });

  it.prop([event, fc.nat(60), fc.string({ unit: fc.constantFrom(..."{}[]\",:0123456789.eE+- \\atimefrkindbu"), maxLength: 3 })])(
    "scanTraceEvent never reads an edited event differently from JSON.parse: it declines (-1) whatever is not the plain form",
    (e, at, insert) => {
      const written = JSON.stringify(e);
      const text = written.slice(0, at) + insert + written.slice(at);
      const { end, out } = scan(text);
      if (end < 0) return;
      // Whatever it read is one complete JSON object with exactly these fields.
      const parsed = JSON.parse(text.slice(0, end));
      expect(Object.keys(parsed)).toEqual(Number.isNaN(out.time) ? ["kind", "buffer"] : ["kind", "buffer", "time"]);
      expect([parsed.kind, parsed.buffer]).toEqual([out.kind, out.buffer]);
      if (!Number.isNaN(out.time)) expect(Object.is(parsed.time, out.time)).toBe(true);
    },
  );

  it("scanTraceEvent declines other key orders, white space, escapes, leading zeros and text that ends too soon", () => {
    for (const text of [
      '{"buffer":1,"kind":"alloc"}',
      '{"kind": "alloc","buffer":1}',
      '{"kind":"\\u0061lloc","buffer":1}',
      '{"kind":"alloc","buffer":01}',
      '{"kind":"alloc","buffer":1.0}',
      '{"kind":"alloc","buffer":-1}',
      '{"kind":"alloc","buffer":1,"time":01}',
      '{"kind":"alloc","buffer":1,"time":1.}',
      '{"kind":"alloc","buffer":1,"time":.5}',
      '{"kind":"alloc","buffer":1,"time":1e}',
      '{"kind":"alloc","buffer":1,"time":1,"op":"x"}',
      '{"kind":"alloc","buffer":1,"time":1',
      '{"kind":"allocate","buffer":1}',
      '{"kind":"alloc","buffer":1234567890123456}',
    ]) {
      expect(scan(text).end, text).toBe(-1);
    }
  });
});
