import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { ChunkDecoder } from "../../src/json/chunkDecoder.js";

/** `text` as UTF-8, cut at `cuts` (byte offsets, any order), decoded chunk by chunk. */
function decodeInChunks(text: string, cuts: number[]): string {
  const bytes = new TextEncoder().encode(text);
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const decoder = new ChunkDecoder();
  let out = "";
  let from = 0;
  for (const to of [...at, bytes.length]) {
    out += decoder.decode(bytes.subarray(from, to));
    from = to;
  }
  return out + decoder.decode(new Uint8Array(0), true);
}

describe("ChunkDecoder", () => {
  it.prop([fc.string({ unit: "grapheme", maxLength: 200 }), fc.array(fc.nat(2000), { maxLength: 8 })])(
    "ChunkDecoder.decode gives the text back whatever the chunks, characters split across them included",
    (text, cuts) => {
      expect(decodeInChunks(text, cuts)).toBe(text);
    },
  );

  it.prop([fc.string({ unit: fc.constantFrom("a", "{", '"', "1", "é", "€", "😀"), maxLength: 60 }), fc.array(fc.nat(300), { maxLength: 6 })])(
    "ChunkDecoder.decode gives the text back when ASCII chunks come before and after ones that are not",
    (text, cuts) => {
      const ascii = '{"kind":"alloc","buffer":1},'.repeat(5);
      expect(decodeInChunks(ascii + text + ascii, cuts)).toBe(ascii + text + ascii);
    },
  );

  it("ChunkDecoder.decode reads a chunk that is a view into a larger array", () => {
    const bytes = new TextEncoder().encode("xx[1,2]yy");
    expect(new ChunkDecoder().decode(bytes.subarray(2, 7))).toBe("[1,2]");
  });
});
