import { expect, it } from "vitest";
import { parseByteSize } from "../../src/index.js";

it("parseByteSize() reads SI and binary units", () => {
  expect(parseByteSize("24GB")).toBe(24e9);
  expect(parseByteSize("80GiB")).toBe(80 * 2 ** 30);
  expect(parseByteSize("1.5 MiB")).toBe(1572864);
  expect(parseByteSize("1024")).toBe(1024);
  expect(parseByteSize("4e9")).toBe(4e9);
  expect(parseByteSize(12.7)).toBe(12);
});

it("parseByteSize() names the flag and the accepted units on bad input", () => {
  expect(() => parseByteSize("24 bananas", "--capacity")).toThrow(/--capacity: cannot read "24 bananas" as a byte size; use bytes/);
  expect(() => parseByteSize("-5", "--capacity")).toThrow(/--capacity/);
  expect(() => parseByteSize(NaN, "--capacity")).toThrow(/--capacity/);
});

it("parseByteSize() accepts 24G, 24GB and 24GiB: G = GB = 1e9 bytes, GiB = 2^30", () => {
  expect(parseByteSize("24G")).toBe(24e9);
  expect(parseByteSize("24 g")).toBe(parseByteSize("24gb"));
  expect(parseByteSize("24GiB")).toBe(24 * 2 ** 30);
  expect(parseByteSize("512M")).toBe(512e6);
  expect(parseByteSize("2T")).toBe(2e12);
});
