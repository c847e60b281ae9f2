import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import { parseTrace, serializeTrace, TraceError } from "../../src/index.js";
import { traceArbitrary } from "../../src/testing.js";

const base = () => ({
  format: "hbmscope.trace",
  version: 1,
  meta: { source: "test" },
  buffers: [
    { id: 0, bytes: 1000, category: "activation", op: "MatMul" },
    { id: 1, bytes: 24, category: "weight" },
  ],
  events: [
    { kind: "alloc", buffer: 0, time: 0 },
    { kind: "alloc", buffer: 1, time: 1 },
    { kind: "free", buffer: 0, time: 2 },
  ],
  marks: [{ at: 0, label: "forward" }],
});

describe("parseTrace", () => {
  it("parseTrace() accepts a valid trace with buffers live at the end", () => {
    const t = parseTrace(base());
    expect(t.buffers).toHaveLength(2);
    expect(t.events).toHaveLength(3);
  });

  it("parseTrace() accepts JSON text and fills missing meta and marks", () => {
    const { meta, marks, ...rest } = base();
    const t = parseTrace(JSON.stringify(rest));
    expect(t.meta).toEqual({});
    expect(t.marks).toEqual([]);
  });

  it("parseTrace() names the event of a double free", () => {
    const t = base();
    t.events.push({ kind: "free", buffer: 0, time: 3 });
    expect(() => parseTrace(t)).toThrow("events[3]: frees buffer 0, which is not allocated (double free)");
  });

  it("parseTrace() names the event that frees an unknown buffer", () => {
    const t = base();
    t.events.push({ kind: "free", buffer: 40, time: 3 });
    expect(() => parseTrace(t)).toThrow(/events\[3\]: refers to buffer 40, which no buffer has as id/);
  });

  it("parseTrace() rejects a free before its alloc", () => {
    const t = base();
    t.events.unshift({ kind: "free", buffer: 1, time: 0 });
    expect(() => parseTrace(t)).toThrow("events[0]: frees buffer 1, which is not allocated");
  });

  it.each([[-1], [NaN], [1.5], ["12"], [Infinity], [null]])("parseTrace() rejects bytes %s", (bytes) => {
    const t = base() as any;
    t.buffers[1].bytes = bytes;
    expect(() => parseTrace(t)).toThrow(/buffers\[1\]: bytes must be a non-negative integer/);
  });

  it("parseTrace() rejects an unknown category and lists the accepted ones", () => {
    const t = base() as any;
    t.buffers[0].category = "scratch";
    expect(() => parseTrace(t)).toThrow('buffers[0]: unknown category "scratch"; accepted: weight, optimizer');
  });

  it("parseTrace() rejects duplicate ids, wrong format, wrong version, bad marks, bad kinds", () => {
    const dup = base() as any;
    dup.buffers[1].id = 0;
    expect(() => parseTrace(dup)).toThrow(/duplicate id 0/);
    expect(() => parseTrace({ ...base(), format: "x" })).toThrow(/format: expected "hbmscope.trace"/);
    expect(() => parseTrace({ ...base(), version: 2 })).toThrow(/version/);
    expect(() => parseTrace({ ...base(), marks: [{ at: 9, label: "x" }] })).toThrow(/marks\[0\]: at must be an event index in 0..3/);
    const kind = base() as any;
    kind.events[1].kind = "malloc";
    expect(() => parseTrace(kind)).toThrow(/events\[1\]: kind must be "alloc" or "free"/);
    expect(() => parseTrace("{nope")).toThrow(/not valid JSON/);
    expect(() => parseTrace([])).toThrow(/a trace is a JSON object/);
  });

  it("parseTrace() rejects a second alloc of the same buffer", () => {
    const t = base();
    t.events.push({ kind: "alloc", buffer: 0, time: 3 });
    expect(() => parseTrace(t)).toThrow(/events\[3\]: allocates buffer 0 again \(it was freed\)/);
  });

  fcTest.prop([traceArbitrary({ views: true })])("parseTrace() ∘ serializeTrace() is the identity", (trace) => {
    const once = parseTrace(trace);
    const twice = parseTrace(serializeTrace(once));
    expect(twice).toEqual(once);
    expect(serializeTrace(twice)).toBe(serializeTrace(once));
  });

  fcTest.prop([
    traceArbitrary({ maxBuffers: 8 }),
    fc.nat(),
    fc.constantFrom("dropAlloc", "dupFree", "badBytes", "badCategory", "unknownBuffer", "badKind", "notObject"),
  ])("parseTrace() rejects randomly broken traces with a TraceError", (trace, pick, how) => {
    const t = structuredClone(trace) as any;
    if (how === "dropAlloc" || how === "dupFree") {
      const frees = t.events.map((e: any, i: number) => (e.kind === "free" ? i : -1)).filter((i: number) => i >= 0);
      fc.pre(frees.length > 0);
      const i = frees[pick % frees.length];
      if (how === "dupFree") t.events.push({ ...t.events[i] });
      else t.events.splice(t.events.findIndex((e: any) => e.kind === "alloc" && e.buffer === t.events[i].buffer), 1);
    } else if (how === "badBytes" || how === "badCategory") {
      fc.pre(t.buffers.length > 0);
      const b = t.buffers[pick % t.buffers.length];
      if (how === "badBytes") b.bytes = [-1, 0.5, NaN, "1"][pick % 4];
      else b.category = "nope";
    } else if (how === "unknownBuffer") {
      t.events.push({ kind: "alloc", buffer: t.buffers.length + 5 });
    } else if (how === "badKind") {
      fc.pre(t.events.length > 0);
      t.events[pick % t.events.length].kind = "retain";
    } else {
      t.events.push(7);
    }
    expect(() => parseTrace(t)).toThrow(TraceError);
  });
});
