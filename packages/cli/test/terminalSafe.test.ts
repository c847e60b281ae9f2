import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { serializeTrace, writePickle } from "@hbmscope/core";
import { terminalSafe } from "../src/terminalSafe.js";
import { run } from "./run.js";

const hostile = "evil\u001b]0;pwned\u0007\u001b[2J\r\u009b31m\u202e";
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("terminalSafe", () => {
  it("terminalSafe() writes escape sequences as visible \\u escapes, keeping newlines and tabs", () => {
    expect(terminalSafe("a\tb\n")).toBe("a\tb\n");
    expect(terminalSafe("\u001b[2J")).toBe("\\u001b[2J");
    expect(terminalSafe(hostile)).not.toMatch(unsafe);
  });

  test.prop([fc.jsonValue()])("terminalSafe() of JSON text is JSON text of the same value", (v) => {
    const text = JSON.stringify(v);
    expect(JSON.parse(terminalSafe(text))).toEqual(JSON.parse(text));
  });

  test.prop([fc.string({ unit: "binary" })])("terminalSafe() leaves nothing a terminal acts on", (s) => {
    expect(terminalSafe(s)).not.toMatch(unsafe);
  });
});

describe("hostile names never reach the terminal raw", () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-names-"));
  const trace = {
    format: "hbmscope.trace",
    version: 1,
    meta: { source: hostile },
    buffers: [{ id: 0, bytes: 1024, category: "activation", op: hostile, scope: hostile, phase: hostile }],
    events: [{ kind: "alloc", buffer: 0 }],
    marks: [],
  };
  writeFileSync(join(dir, `t${"\u001b"}[2J.json`), serializeTrace(trace as never));
  writeFileSync(
    join(dir, "s.pickle"),
    writePickle({ segments: [], device_traces: [[{ action: "alloc", addr: 0, size: 512, stream: 0, frames: [{ filename: `${hostile}.py`, line: 1, name: hostile }] }, { action: hostile, addr: 0, size: 1 }]] }),
  );

  for (const argv of [["inspect", `t${"\u001b"}[2J.json`], ["replay", `t${"\u001b"}[2J.json`], ["inspect", "s.pickle"], ["import", "s.pickle", "--out", "x.json"], ["inspect", "missing\u001b[2J.json"]]) {
    it(`${argv[0]} ${JSON.stringify(argv[1])} prints no control character`, async () => {
      const r = await run(argv, dir);
      expect(r.stdout + r.stderr).toContain("\\u001b");
      expect(r.stdout).not.toMatch(unsafe);
      expect(r.stderr).not.toMatch(unsafe);
    });
  }

  it("inspect --json of a hostile name parses back to the name", async () => {
    const r = await run(["inspect", `t${"\u001b"}[2J.json`, "--json"], dir);
    expect(r.stdout).not.toMatch(unsafe);
    expect(JSON.parse(r.stdout).largestAtPeak[0].op).toBe(hostile);
  });
});
