import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { pickleValueArbitrary } from "@hbmscope/core/testing";
import { readPickle, writePickle } from "@hbmscope/core";
import { fileSource } from "../src/index.js";
import { firstByteOf } from "../src/fileSource.js";

const fixtures = new URL("../../core/test/fixtures/", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "hbmscope-filesource-"));
let files = 0;

/** A new file holding `bytes`. */
function fileWith(bytes: Uint8Array): string {
  const path = join(dir, `f${files++}.bin`);
  writeFileSync(path, bytes);
  return path;
}

/** One pass over a source: its chunks copied (the source may reuse one array), and their lengths. */
function pass(source: () => Iterable<Uint8Array>): { bytes: Uint8Array; lengths: number[] } {
  const parts: Uint8Array[] = [];
  for (const chunk of source()) parts.push(chunk.slice());
  return { bytes: new Uint8Array(Buffer.concat(parts)), lengths: parts.map((p) => p.length) };
}

const pseudoRandom = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);

describe("fileSource", () => {
  for (const chunkBytes of [1, 7, 4096]) {
    it(`fileSource() gives a file's bytes in chunks of ${chunkBytes}, from the start on every pass`, () => {
      const data = pseudoRandom(3 * 4096 + 123);
      const source = fileSource(fileWith(data), chunkBytes);
      const first = pass(source);
      expect(first.bytes).toEqual(data);
      // Every chunk is full but the last.
      expect(first.lengths.slice(0, -1).every((n) => n === chunkBytes)).toBe(true);
      expect(first.lengths.length).toBe(Math.ceil(data.length / chunkBytes));
      expect(pass(source)).toEqual(first);
    });
  }

  test.prop([fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 64 })])("fileSource() gives any file's bytes for any chunk size", (data, chunkBytes) => {
    const source = fileSource(fileWith(data), chunkBytes);
    expect(pass(source).bytes).toEqual(data);
    expect(pass(source).bytes).toEqual(data);
  });

  it("fileSource() reads a real snapshot pickle as it is on disk", () => {
    const path = join(fixtures, "snapshot-ghosts.pickle");
    expect(pass(fileSource(path, 1000)).bytes).toEqual(new Uint8Array(readFileSync(path)));
    expect(pass(fileSource(path)).bytes).toEqual(new Uint8Array(readFileSync(path)));
  });

  it("fileSource() of an empty file gives no chunks", () => {
    const source = fileSource(fileWith(new Uint8Array(0)), 16);
    expect([...source()]).toEqual([]);
    expect([...source()]).toEqual([]);
  });

  it("fileSource() of a missing file throws ENOENT when read, not when made", () => {
    const source = fileSource(join(dir, "missing.pickle"));
    expect(() => [...source()]).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });

  it("fileSource() of a directory throws EISDIR when read", () => {
    const sub = join(dir, "sub");
    mkdirSync(sub, { recursive: true });
    expect(() => [...fileSource(sub)()]).toThrow(expect.objectContaining({ code: "EISDIR" }));
  });

  it("fileSource() hands out one array again and again: a reader must copy what it keeps", () => {
    const source = fileSource(fileWith(pseudoRandom(10)), 4);
    const chunks = [...source()];
    expect(chunks.map((c) => c.length)).toEqual([4, 4, 2]);
    expect(chunks[0].buffer).toBe(chunks[1].buffer);
  });

  it("firstByteOf() gives a file's first byte, undefined when it is empty", () => {
    expect(firstByteOf(fileWith(Uint8Array.from([0x80, 2, 3])))).toBe(0x80);
    expect(firstByteOf(fileWith(Uint8Array.from([0x7b])))).toBe(0x7b);
    expect(firstByteOf(fileWith(new Uint8Array(0)))).toBeUndefined();
    expect(firstByteOf(join(fixtures, "snapshot-ghosts.pickle"))).toBe(0x80);
    expect(() => firstByteOf(join(dir, "missing"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });

  it("readPickle(fileSource(path, 3)) reads a writePickle() file back whole", () => {
    const value = {
      segments: [{ address: 2 ** 47 + 512, wide: 2n ** 70n + 3n, total_size: 20 * 2 ** 20, blocks: [{ size: 512, state: "active_allocated" }, { size: 1024, state: "inactive" }] }],
      device_traces: [[{ action: "alloc", addr: 140000000000, size: 3000, frames: [{ filename: "train.py", line: 12, name: "forward" }] }]],
      strings: ["active_allocated", "active_allocated", "é".repeat(40), ""],
      floats: [0.5, -1.25e-300, 3.25, Infinity],
      flags: [true, false, null],
    };
    expect(readPickle(fileSource(fileWith(writePickle(value)), 3))).toEqual(value);
  });

  const plain = pickleValueArbitrary();

  test.prop([plain, fc.integer({ min: 1, max: 9 })], { numRuns: 50 })("readPickle(fileSource()) of a writePickle() file deep-equals the value, for small chunks", (value, chunkBytes) => {
    expect(readPickle(fileSource(fileWith(writePickle(value)), chunkBytes))).toEqual(value);
  });
});
