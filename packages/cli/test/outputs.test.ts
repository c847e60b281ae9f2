import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace } from "@hbmscope/core";
import { run } from "./run.js";

const fixtures = new URL("../../core/test/fixtures/", import.meta.url).pathname;
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-outputs-"));
  copyFileSync(join(fixtures, "snapshot-fresh.pickle"), join(dir, "snap.pickle"));
  return dir;
};

describe("outputs of every command", () => {
  it("import --out naming its input is refused (exit 2) and the snapshot stays as it was", async () => {
    const dir = fresh();
    const before = readFileSync(join(dir, "snap.pickle"));
    const r = await run(["import", "snap.pickle", "--out", "snap.pickle"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("hbmscope: --out snap.pickle is the input snap.pickle; writing it would replace the input: name another file\n");
    expect(readFileSync(join(dir, "snap.pickle"))).toEqual(before);
  });

  it("render and export refuse an --out that is their input", async () => {
    const dir = fresh();
    expect((await run(["import", "snap.pickle", "-o", "t.json"], dir)).code).toBe(0);
    const before = readFileSync(join(dir, "t.json"), "utf8");
    for (const argv of [["render", "t.json", "--out", "t.json"], ["export", "t.json", "--format", "perfetto", "-o", "./t.json"]]) {
      const r = await run(argv, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is the input t.json/);
    }
    expect(readFileSync(join(dir, "t.json"), "utf8")).toBe(before);
  });

  it("import -o - writes the trace to standard output and its report to standard error", async () => {
    const dir = fresh();
    const r = await run(["import", "snap.pickle", "-o", "-"], dir);
    expect(r.code).toBe(0);
    expect(parseTrace(r.stdout).meta.source).toBe("imported");
    expect(r.stderr).toMatch(/wrote the trace to standard output/);
  });

  it("import --out - --json is refused: both would write to standard output", async () => {
    const r = await run(["import", "snap.pickle", "--out", "-", "--json"], fresh());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--json and --out - would both write to standard output/);
  });

  it("simulate refuses an unwritable --svg before simulating, in words", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "file"), "x");
    const r = await run(["simulate", "--model", "gpt2-small", "--svg", "file/chart.svg", "--json"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^hbmscope: --svg: cannot write file\/chart.svg: a part of the path is a file, not a directory \(ENOTDIR\)\n$/);
  });

  it("compare-attention checks --svg before running any variant", async () => {
    const r = await run(["compare-attention", "--seq", "32", "--backend", "cpu", "--svg", "/proc/hbmscope-nowhere/a.svg"]);
    expect(r.code).toBe(1);
    // no variant ran: no progress line before the error
    expect(r.stderr).toBe("hbmscope: --svg: cannot write /proc/hbmscope-nowhere/a.svg: no such file or directory (ENOENT)\n");
  });
});
