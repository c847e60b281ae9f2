import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { decodeArray, encodeArray, narrowestType } from "../src/encodeArray.js";

describe("encodeArray", () => {
  it("encodeArray() writes [1, 2, 258] as three little-endian u16 (bytes 01 00 02 00 02 01)", () => {
    expect(encodeArray([1, 2, 258])).toEqual({ type: "u16", length: 3, data: "AQACAAIB" });
  });
  it("encodeArray() writes [-1] as i32 (bytes ff ff ff ff) and [0.5] as f64", () => {
    expect(encodeArray([-1])).toEqual({ type: "i32", length: 1, data: "/////w==" });
    expect(encodeArray([0.5])).toEqual({ type: "f64", length: 1, data: "AAAAAAAA4D8=" });
  });
  it("encodeArray() of nothing is an empty u8 array", () => {
    expect(encodeArray([])).toEqual({ type: "u8", length: 0, data: "" });
  });
  it("encodeArray() refuses a value its type cannot hold, naming the element", () => {
    expect(() => encodeArray([1, 300], "u8")).toThrow("encodeArray: element 1 (300) does not fit in u8");
  });
  it("narrowestType() picks by range: u8, u16, u32, i32, then f64 for fractions, -0, NaN and beyond 32 bits", () => {
    expect([[255], [256], [65536], [-5, 7], [2 ** 32], [0.1], [-0], [NaN], [-(2 ** 31) - 1]].map(narrowestType)).toEqual(["u8", "u16", "u32", "i32", "f64", "f64", "f64", "f64", "f64"]);
  });
  it("decodeArray() rejects data of the wrong length and unknown types", () => {
    expect(() => decodeArray({ type: "u16", length: 2, data: "AQA=" })).toThrow("decodeArray: 2 bytes of data for 2 u16 elements (expected 4)");
    expect(() => decodeArray({ type: "u64" as "u8", length: 0, data: "" })).toThrow("decodeArray: unknown type \"u64\"");
  });
  test.prop([fc.array(fc.oneof(fc.integer(), fc.nat({ max: 255 }), fc.maxSafeInteger(), fc.double()), { maxLength: 200 })])(
    "decodeArray() of encodeArray() gives back every value exactly (same bits: -0, NaN included)",
    (values) => {
      const back = Array.from(decodeArray(encodeArray(values)));
      expect(back.length).toBe(values.length);
      back.forEach((v, i) => expect(Object.is(v, values[i])).toBe(true));
    },
  );
  test.prop([fc.array(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 100 })])("encodeArray() uses no more bytes than the widest value needs", (values) => {
    const e = encodeArray(values);
    const max = Math.max(0, ...values);
    const width = max < 256 ? 1 : max < 65536 ? 2 : 4;
    expect(Buffer.from(e.data, "base64").length).toBe(values.length * width);
  });
});
