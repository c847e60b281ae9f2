import { linkSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkOutputs } from "../src/checkOutputs.js";

const ioAt = (cwd: string) => ({ stdout: () => {}, stderr: () => {}, cwd });

describe("checkOutputs", () => {
  it("checkOutputs() refuses an output that is an input, also through a symbolic or hard link", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-check-"));
    writeFileSync(join(dir, "snap.pickle"), "x");
    symlinkSync(join(dir, "snap.pickle"), join(dir, "alias.pickle"));
    linkSync(join(dir, "snap.pickle"), join(dir, "hard.pickle"));
    for (const out of ["snap.pickle", "./snap.pickle", "alias.pickle", "hard.pickle", join(dir, "snap.pickle")]) {
      expect(() => checkOutputs(ioAt(dir), [{ flag: "--out", path: out }], ["snap.pickle"])).toThrow(`--out ${out} is the input snap.pickle`);
    }
  });

  it("checkOutputs() refuses two outputs naming one file, and two standard outputs", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-check-"));
    expect(() => checkOutputs(ioAt(dir), [{ flag: "--out", path: "a.svg" }, { flag: "--svg", path: "./a.svg" }])).toThrow("--svg ./a.svg is the same file as --out a.svg");
    expect(() => checkOutputs(ioAt(dir), [{ flag: "--out", path: "-" }, { flag: "--svg", path: "-" }])).toThrow("--out and --svg cannot both write to standard output");
    expect(() => checkOutputs(ioAt(dir), [{ flag: "--out", path: "-" }], [], true)).toThrow("--json and --out - would both write to standard output");
    expect(checkOutputs(ioAt(dir), [{ flag: "--out", path: "-" }])).toEqual({ toStdout: true });
  });

  it("checkOutputs() refuses an unwritable place before any work, and leaves no probe behind", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-check-"));
    writeFileSync(join(dir, "file"), "x");
    expect(() => checkOutputs(ioAt(dir), [{ flag: "--svg", path: "file/c.svg" }])).toThrow(/--svg: cannot write file\/c.svg: .*not a directory/);
    expect(() => checkOutputs(ioAt(dir), [{ flag: "--out", path: "/proc/hbmscope-nowhere/t.json" }])).toThrow(/--out: cannot write \/proc\/hbmscope-nowhere\/t.json: no such file or directory/);
    expect(() => checkOutputs(ioAt(dir), [{ flag: "--out", path: "file", directory: true }])).toThrow("--out: cannot write file: it is a file, not a directory");
    expect(() => checkOutputs(ioAt(dir), [{ flag: "--out", path: "-", directory: true }])).toThrow("--out takes a directory here");
    expect(checkOutputs(ioAt(dir), [{ flag: "--out", path: "new/dir/t.json" }])).toEqual({ toStdout: false });
    expect(readdirSync(join(dir, "new/dir"))).toEqual([]);
  });
});
