import { mkdtempSync, mkdirSync, readFileSync } from "node:fs";
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
      expect(() => writeOutput("taken", content, dir, "--svg")).toThrow("--svg: cannot write taken: EISDIR");
    }
  });
});
