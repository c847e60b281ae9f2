import { mkdtempSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "../src/index.js";
import { writeOutput } from "../src/writeOutput.js";

describe("writeOutput", () => {
  it("writeOutput() writes pieces in order, creating the directory, and returns the full path", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-write-"));
    function* pieces() {
      yield '{"a":';
      yield "";
      yield "[1,2";
      yield ',"é"]}';
    }
    const full = writeOutput("sub/deeper/t.json", pieces(), dir);
    expect(full).toBe(join(dir, "sub/deeper/t.json"));
    expect(readFileSync(full, "utf8")).toBe('{"a":[1,2,"é"]}');
  });

  it("writeOutput() still writes a string and bytes whole, replacing what was there", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-write-"));
    writeOutput("t.txt", ["a much longer first version"], dir);
    writeOutput("t.txt", "short", dir);
    expect(readFileSync(join(dir, "t.txt"), "utf8")).toBe("short");
    writeOutput("t.txt", Uint8Array.from([0x68, 0x69]), dir);
    expect(readFileSync(join(dir, "t.txt"), "utf8")).toBe("hi");
    writeOutput("t.txt", ["x"], dir);
    expect(readFileSync(join(dir, "t.txt"), "utf8")).toBe("x");
  });

  it("writeOutput() names the flag and the code when the path is a directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-write-"));
    mkdirSync(join(dir, "taken"));
    for (const content of ["x", ["x"]]) {
      expect(() => writeOutput("taken", content, dir, "--svg")).toThrow(CliError);
      expect(() => writeOutput("taken", content, dir, "--svg")).toThrow("--svg: cannot write taken: it is a directory (EISDIR)");
    }
  });

  it("writeOutput() keeps the file that was there when the content fails half-way, and leaves no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-write-"));
    writeFileSync(join(dir, "keep.json"), "the good file");
    function* failing() {
      yield "partial";
      throw new Error("disk full");
    }
    expect(() => writeOutput("keep.json", failing(), dir)).toThrow("--out: cannot write keep.json: disk full");
    expect(readFileSync(join(dir, "keep.json"), "utf8")).toBe("the good file");
    expect(readdirSync(dir)).toEqual(["keep.json"]);
  });

  it("writeOutput() writes through a symbolic link, keeping the link", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-write-"));
    writeFileSync(join(dir, "real.json"), "old");
    symlinkSync(join(dir, "real.json"), join(dir, "link.json"));
    writeOutput("link.json", "new", dir);
    expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "real.json"), "utf8")).toBe("new");
  });

  it("writeOutput() writes - to standard output, bytes through stdoutBytes", () => {
    let out = "";
    const got: Uint8Array[] = [];
    const io = { stdout: (t: string) => void (out += t), stderr: () => {}, stdoutBytes: (b: Uint8Array) => void got.push(b), cwd: tmpdir() };
    expect(writeOutput("-", ["a", "b"], io)).toBe("-");
    expect(out).toBe("ab");
    writeOutput("-", Uint8Array.of(1, 2), io);
    expect(got).toEqual([Uint8Array.of(1, 2)]);
  });

  it("writeOutput() names a path through a file (not a directory) in words, not a bare EEXIST", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-write-"));
    writeFileSync(join(dir, "file"), "x");
    expect(() => writeOutput("file/sub/t.json", "x", dir)).toThrow(/--out: cannot write file\/sub\/t.json: .*not a directory \(ENOTDIR\)/);
  });

  it("writeOutput() fails at once under /proc instead of hanging", () => {
    expect(() => writeOutput("/proc/hbmscope-nowhere/sub/t.json", "x", tmpdir())).toThrow(/--out: cannot write \/proc\/hbmscope-nowhere\/sub\/t.json: no such file or directory \(ENOENT\)/);
  });

  it("writeOutput() writes a file whose name is near the 255-byte limit (a short temporary name)", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-write-"));
    const name = `${"a".repeat(245)}.json`;
    writeOutput(name, "x", dir);
    expect(readdirSync(dir)).toEqual([name]);
  });
});
