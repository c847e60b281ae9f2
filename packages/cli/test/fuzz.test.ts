import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fuzzCases } from "./fuzz/fuzzCases.js";
import { fingerprint, fuzzFailure } from "./fuzz/fuzzCheck.js";
import { runFuzzCase } from "./fuzz/runFuzzCase.js";

// The whole suite runs in CI as `pnpm fuzz` (scripts/fuzz.ts, each case bounded by a watchdog);
// here a sample of it, in-process, so a regression shows in the unit tests too.
describe("fuzz suite", () => {
  it("fuzzFailure() reports a second error line, a stack trace, a changed input and a bad exit code", () => {
    const ok = { code: 2, stdout: "", stderr: "hbmscope: --top takes an integer from 1 to 1048576, got \"0\"\n", ms: 5 };
    expect(fuzzFailure(ok, ["a"], ["a"], 1000)).toBeUndefined();
    expect(fuzzFailure({ ...ok, stderr: "note: x\nhbmscope: y\n" }, [], [], 1000)).toBeUndefined();
    expect(fuzzFailure({ ...ok, stderr: "hbmscope: a\nb\n" }, [], [], 1000)).toMatch(/2 error lines/);
    expect(fuzzFailure({ ...ok, stderr: "TypeError: x\n    at f (file.js:1:2)\n" }, [], [], 1000)).toMatch(/error lines|internal/);
    expect(fuzzFailure({ ...ok, stderr: "hbmscope: Cannot read properties of undefined (reading 'x')\n" }, [], [], 1000)).toMatch(/internal error/);
    expect(fuzzFailure(ok, ["a"], ["b"], 1000)).toBe("an input file changed");
    expect(fuzzFailure({ ...ok, code: 134 }, [], [], 1000)).toBe("exit code 134");
    expect(fuzzFailure({ ...ok, ms: 2000 }, [], [], 1000)).toMatch(/over the 1000 ms bound/);
    expect(fuzzFailure({ ...ok, stdout: "\u001b[2J" }, [], [], 1000)).toBe("a raw control character printed");
  });

  it("fuzzCases() generates every reader's and every command's cases; a sample of them passes in-process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-fuzz-"));
    const cases = await fuzzCases(join(dir, "inputs"), 7, 0.05);
    for (const kind of ["inspect trace cut", "import pickle cut", "snapshot JSON cut", "estimate config", "share one", "nested", "render --width", "import over its input"]) {
      expect(cases.some((c) => c.name.includes(kind)), kind).toBe(true);
    }
    const failures: string[] = [];
    const sample = cases.filter((_, i) => i % 8 === 0 || cases[i].name.includes("share one") || cases[i].name.includes("over its input"));
    for (const c of sample) {
      const before = fingerprint(c.inputs);
      const r = await runFuzzCase(c, dir);
      const why = fuzzFailure(r, before, fingerprint(c.inputs), 20_000, c.argv.includes("-"));
      if (why) failures.push(`${c.name}: ${why}`);
    }
    expect(sample.length).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });
});
