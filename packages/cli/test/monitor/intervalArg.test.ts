import { describe, expect, it } from "vitest";
import { intervalArg } from "../../src/monitor/intervalArg.js";

describe("intervalArg", () => {
  it("intervalArg() reads 200ms, 1s, 0.5s and plain milliseconds", () => {
    expect(["200ms", "1s", "0.5s", "250", " 10ms "].map(intervalArg)).toEqual([200, 1000, 500, 250, 10]);
  });

  it("intervalArg() names the flag and what it takes for anything else", () => {
    for (const bad of ["5ms", "0", "fast", "1m", "-1s", ""]) {
      expect(() => intervalArg(bad)).toThrow(`--interval takes a duration of at least 10ms (200ms, 1s, 0.5s), got ${JSON.stringify(bad)}`);
    }
  });
});
