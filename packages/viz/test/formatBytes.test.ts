import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { byteTicks, formatBytes } from "../src/index.js";

describe("formatBytes", () => {
  it("formatBytes() is core's formatter, the one every chart label uses", async () => {
    expect(formatBytes).toBe((await import("@hbmscope/core")).formatBytes);
  });

  it("byteTicks() steps in one unit from 0", () => {
    expect(byteTicks(100 * 2 ** 20, 5).map((t) => t.label)).toEqual(["0", "20 MiB", "40 MiB", "60 MiB", "80 MiB", "100 MiB"]);
    expect(byteTicks(0)).toEqual([{ value: 0, label: "0 B" }]);
  });

  test.prop([fc.double({ min: 1, max: 2 ** 50, noNaN: true }), fc.integer({ min: 2, max: 10 }), fc.constantFrom<2 | 10>(2, 10)])(
    "byteTicks() starts at 0, increases evenly and stays within about 2x of the count",
    (max, count, base) => {
      const t = byteTicks(max, count, base).map((x) => x.value);
      expect(t[0]).toBe(0);
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(2 * count + 3);
      expect(t.at(-1)!).toBeGreaterThanOrEqual(max * 0.5);
    },
  );
});
