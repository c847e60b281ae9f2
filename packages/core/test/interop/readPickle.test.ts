import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { pickleValueArbitrary } from "@hbmscope/core/testing";
import { readPickle, SnapshotError, writePickle, type ByteSource, type PickleValue } from "@hbmscope/core";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

/** The expected values, with wide integers written as {"bigint": "<decimal>"} (see makeSnapshots.py). */
function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.bigint === "string" && Object.keys(o).length === 1) return BigInt(o.bigint);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
  }
  return v;
}

/** Runs `f` and returns the SnapshotError it throws, or undefined if it returns a value. */
function refusal(f: () => unknown): SnapshotError | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof SnapshotError) return e;
    throw e; // any other kind of failure fails the test
  }
}

const bytes = (...parts: (number | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "number" ? [p] : Array.from(new TextEncoder().encode(p)))));

describe("readPickle", () => {
  const expected = revive(JSON.parse(readFileSync(new URL("../fixtures/values.json", import.meta.url), "utf8")));
  for (const p of [2, 3, 4, 5]) {
    it(`readPickle() reads what Python's pickle writes with protocol ${p}: every int width, floats, strings, tuples, memo`, () => {
      expect(readPickle(fixture(`values-p${p}.pickle`))).toEqual(expected);
    });
  }

  it("readPickle() returns numbers for safe integers and bigints beyond 2^53 - 1, exactly", () => {
    const v = readPickle(fixture("values-p4.pickle")) as { wide: PickleValue[]; ints: PickleValue[] };
    expect(v.ints.every((x) => typeof x === "number")).toBe(true);
    expect(v.wide).toContain(2n ** 64n - 1n);
    expect(v.wide).toContain(-(2n ** 100n));
  });

  it("readPickle(writePickle()) keeps whole doubles beyond 2^53 as the same numbers", () => {
    for (const v of [2 ** 60, -(2 ** 60), 1e300, -1e300, Number.MAX_VALUE]) expect(readPickle(writePickle({ v }))).toEqual({ v });
  });

  it("readPickle() keeps memoised objects shared, as Python does", () => {
    const v = readPickle(fixture("values-p4.pickle")) as { shared: PickleValue[] };
    expect(v.shared[0]).toBe(v.shared[1]);
  });

  it("readPickle() refuses GLOBAL + REDUCE (os.system) without running anything", () => {
    const evil = bytes(0x80, 2, "cos\nsystem\n", 0x58, 7, 0, 0, 0, "echo hi", 0x85, 0x52, 0x2e);
    const e = refusal(() => readPickle(evil));
    expect(e?.message).toMatch(/GLOBAL \(0x63\) would import or call Python code/);
    expect(e?.offset).toBe(2);
  });

  it("readPickle() refuses STACK_GLOBAL, BUILD, NEWOBJ, INST, OBJ and persistent ids", () => {
    for (const op of [0x93, 0x62, 0x81, 0x69, 0x6f, 0x51, 0x50, 0x92, 0x52])
      expect(refusal(() => readPickle(bytes(0x80, 4, 0x4e, op, 0x2e)))?.message).toMatch(/would import or call Python code/);
  });

  it("readPickle() reads nesting a million lists deep without overflowing the stack", () => {
    const depth = 1_000_000;
    const b = new Uint8Array(depth * 2 + 3);
    b[0] = 0x80;
    b[1] = 4;
    for (let i = 0; i < depth; i++) b[2 + i] = 0x5d; // EMPTY_LIST
    for (let i = 0; i < depth - 1; i++) b[2 + depth + i] = 0x61; // APPEND
    b[2 + 2 * depth - 1] = 0x2e;
    let v = readPickle(b.subarray(0, 2 * depth + 2)) as PickleValue[];
    let d = 1;
    while (v.length > 0) {
      v = v[0] as PickleValue[];
      d++;
    }
    expect(d).toBe(depth);
  });

  it("readPickle() says where a truncated pickle ends", () => {
    const whole = fixture("snapshot-fresh.pickle");
    expect(refusal(() => readPickle(whole.subarray(0, 100)))?.message).toMatch(/truncated|without STOP/);
    expect(refusal(() => readPickle(whole.subarray(0, 0)))?.message).toMatch(/ended without STOP/);
  });

  it("readPickle() refuses lengths beyond the end instead of allocating them", () => {
    expect(refusal(() => readPickle(bytes(0x80, 4, 0x58, 0xff, 0xff, 0xff, 0x7f)))?.message).toMatch(/truncated: a string needs 2147483647 bytes/);
    expect(refusal(() => readPickle(bytes(0x80, 4, 0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)))?.message).toMatch(/truncated/);
    expect(refusal(() => readPickle(bytes(0x80, 4, 0x8b, 0x00, 0x00, 0x01, 0x00)))?.message).toMatch(/wider than accepted/);
  });

  it("readPickle() refuses memo indexes that skip ahead and gets of unknown ones", () => {
    expect(refusal(() => readPickle(bytes(0x80, 4, 0x4e, 0x72, 0xff, 0xff, 0xff, 0xff, 0x2e)))?.message).toMatch(/skips ahead/);
    expect(refusal(() => readPickle(bytes(0x80, 4, 0x68, 3, 0x2e)))?.message).toMatch(/never stored/);
  });

  it("readPickle() refuses protocol 0/1 text opcodes and protocols newer than 5", () => {
    expect(refusal(() => readPickle(bytes("I42\n.")))?.message).toMatch(/protocol 0\/1/);
    expect(refusal(() => readPickle(bytes(0x80, 6, 0x4e, 0x2e)))?.message).toMatch(/protocol 6/);
  });

  it("readPickle() keeps a __proto__ key as data, never as the prototype", () => {
    const v = readPickle(bytes(0x80, 4, 0x7d, 0x28, 0x8c, 9, "__proto__", 0x7d, 0x28, 0x8c, 1, "x", 0x4b, 1, 0x75, 0x75, 0x2e)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("readPickle() hands each finished dict to the dict hook, except dicts the memo refers to again", () => {
    const v = readPickle(fixture("values-p4.pickle"), { dict: (d) => ("line" in d ? "frame" : d) }) as { shared: PickleValue[] };
    expect(v.shared[0]).toBe(v.shared[1]); // memo-shared: left as it is
    const w = readPickle(writePickle({ frames: [{ line: 1 }, { line: 2 }] }), { dict: (d) => ("line" in d ? `line ${d.line}` : d) });
    expect(w).toEqual({ frames: ["line 1", "line 2"] });
  });

  const plain = pickleValueArbitrary();

  test.prop([plain])("readPickle(writePickle(v)) deep-equals v", (v) => {
    expect(readPickle(writePickle(v))).toEqual(v);
  });

  test.prop([fc.uint8Array({ maxLength: 200 })])("readPickle() on random bytes returns a value or throws a SnapshotError", (b) => {
    refusal(() => readPickle(b));
  });

  test.prop([fc.uint8Array({ maxLength: 100 })])("readPickle() on random bytes after a protocol 4 header returns a value or throws a SnapshotError", (b) => {
    const x = new Uint8Array(b.length + 2);
    x.set([0x80, 4]);
    x.set(b, 2);
    refusal(() => readPickle(x));
  });

  const valid = fixture("snapshot-ghosts.pickle");
  test.prop([fc.array(fc.record({ at: fc.nat({ max: valid.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 })])(
    "readPickle() on a mutated snapshot pickle returns a value or throws a SnapshotError",
    (edits) => {
      const b = valid.slice();
      for (const e of edits) b[e.at] = e.byte;
      refusal(() => readPickle(b));
    },
  );

  test.prop([fc.nat({ max: valid.length - 1 })])("readPickle() on a truncated snapshot pickle throws a SnapshotError", (cut) => {
    expect(refusal(() => readPickle(valid.subarray(0, cut)))).toBeInstanceOf(SnapshotError);
  });
});

/** `bytes` as a ByteSource cut at `cuts` (offsets, any order, repeats give empty chunks). */
function chunked(bytes: Uint8Array, cuts: number[]): ByteSource {
  const at = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  return () => at.slice(1).map((end, i) => bytes.slice(at[i], end));
}

/** What reading gives: the value, or the refusal's message. */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    if (e instanceof SnapshotError) return { error: e.message };
    throw e;
  }
}

describe("readPickle(ByteSource)", () => {
  const files = ["values-p2.pickle", "values-p4.pickle", "values-p5.pickle", "snapshot-ghosts.pickle", "snapshot-fresh.pickle"].map(fixture);
  const cutsOf = fc.array(fc.nat(), { maxLength: 20 });

  test.prop([fc.nat({ max: files.length - 1 }), cutsOf])("readPickle(ByteSource) reads any chunking of a file as the whole file", (f, cuts) => {
    expect(readPickle(chunked(files[f], cuts))).toEqual(readPickle(files[f]));
  });

  test.prop([fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }), cutsOf])(
    "readPickle(ByteSource) refuses a mutated pickle with the same message as the whole file, at the same byte",
    (edits, cuts) => {
      const b = files[3].slice();
      for (const e of edits) b[e.at % b.length] = e.byte;
      expect(outcome(() => readPickle(chunked(b, cuts)))).toEqual(outcome(() => readPickle(b)));
    },
  );

  test.prop([fc.nat(), cutsOf])("readPickle(ByteSource) says where a truncated pickle ends, as for the whole file", (cut, cuts) => {
    const b = files[3].subarray(0, cut % files[3].length);
    const e = outcome(() => readPickle(chunked(b, cuts)));
    expect(e).toEqual(outcome(() => readPickle(b)));
    expect(e).toHaveProperty("error");
  });

  it("readPickle(ByteSource) reads a long string spread over one-byte chunks", () => {
    const text = "x".repeat(100_000);
    const b = writePickle({ text });
    expect(readPickle(() => Array.from(b, (x) => new Uint8Array([x])))).toEqual({ text });
  });

  it("readPickle(ByteSource) refuses a chunk that is not a Uint8Array", () => {
    const b = writePickle([1, 2]);
    expect(() => readPickle(() => [b.subarray(0, 3), "oops" as unknown as Uint8Array])).toThrow(/chunk must be a Uint8Array, got string/);
  });

  it("readPickle() refuses input that is neither bytes nor a ByteSource", () => {
    expect(refusal(() => readPickle("text" as unknown as Uint8Array))?.message).toMatch(/readPickle: expected a Uint8Array or a ByteSource function, got string/);
  });
});
