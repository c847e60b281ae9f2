import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importTorchSnapshot, parseTrace, serializeTrace, writePickle } from "@hbmscope/core";
import { run } from "./run.js";

const fixtures = new URL("../../core/test/fixtures/", import.meta.url).pathname;
const MiB = 2 ** 20;

describe("hbmscope import", () => {
  it("import --json writes a valid trace and prints one object with PyTorch's reserved bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-import-"));
    const r = await run(["import", join(fixtures, "snapshot-fresh.pickle"), "--out", "t.json", "--json"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ events: 13, buffers: 9, ghosts: 0, reservedPeakBytes: 64 * MiB, reservedEndBytes: 44 * MiB, warnings: [] });
    const trace = parseTrace(readFileSync(join(dir, "t.json"), "utf8"));
    expect(trace.meta.source).toBe("imported");
  });

  it("import --out writes, in pieces, the same trace as serializeTrace() of the whole trace built in memory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-import-"));
    const r = await run(["import", join(fixtures, "snapshot-ghosts.pickle"), "--out", "x.json"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const built = importTorchSnapshot(new Uint8Array(readFileSync(join(fixtures, "snapshot-ghosts.pickle"))));
    // Reading the arrays builds them: serializeTrace() then stringifies the trace whole.
    expect(built.events.length).toBeGreaterThan(0);
    expect(built.buffers.length).toBeGreaterThan(0);
    const text = readFileSync(join(dir, "x.json"), "utf8");
    expect(parseTrace(text)).toEqual(JSON.parse(serializeTrace(built)));
    expect(text).toBe(serializeTrace(built));
  });

  it("import prints the ghosts, the reserved bytes and the OOM for people", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-import-"));
    const r = await run(["import", join(fixtures, "snapshot-ghosts.json"), "--out", "t.json"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("(2 alive before recording started)");
    expect(r.stdout).toContain("reserved by PyTorch: 20.00 MiB at start, peak 22.00 MiB, 22.00 MiB at the end");
    expect(r.stdout).toContain("out of memory before event 5: 64.00 MiB requested, 3.00 MiB free on the device");
  });

  it("import refuses a hostile pickle with one line naming the file and the opcode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-import-"));
    writeFileSync(join(dir, "evil.pickle"), Buffer.from([0x80, 2, ...Buffer.from("cos\nsystem\n"), 0x4e, 0x85, 0x52, 0x2e]));
    const r = await run(["import", "evil.pickle", "--out", "t.json"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^hbmscope: evil\.pickle: readPickle: opcode GLOBAL \(0x63\) would import or call Python code.*\n$/);
  });

  it("import without --out names the flag", async () => {
    const r = await run(["import", join(fixtures, "snapshot-fresh.pickle")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });

  it("inspect reads a snapshot directly", async () => {
    const r = await run(["inspect", join(fixtures, "snapshot-fresh.pickle"), "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).peakBytes).toBe(3000 + 11 * MiB + 1 + 8 * MiB + 6 * MiB + 30 * MiB);
  });

  it("render draws a snapshot directly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-import-"));
    const r = await run(["render", join(fixtures, "snapshot-ghosts.pickle"), "--out", "t.svg"], dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "t.svg"), "utf8")).toMatch(/^<svg/);
  });

  it("import --device of a device the snapshot lacks names the devices present and exits 2, writing nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-import-"));
    const r = await run(["import", join(fixtures, "snapshot-fresh.pickle"), "--device", "5", "--out", "t.json"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("hbmscope: --device 5: device 5 is not in this snapshot; it has device 0\n");
    expect(existsSync(join(dir, "t.json"))).toBe(false);
  });

  it("import warns of an inconsistent snapshot, and --strict refuses it (exit 1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-import-"));
    writeFileSync(join(dir, "s.pickle"), writePickle({ segments: [], device_traces: [[{ action: "alloc", addr: 0, size: 512 }, { action: "teleport", addr: 0, size: 1 }]] }));
    const loose = await run(["import", "s.pickle", "--out", "t.json"], dir);
    expect(loose.code).toBe(0);
    expect(loose.stdout).toContain('warning: device_traces[0][1]: unknown action "teleport"');
    const strict = await run(["import", "s.pickle", "--out", "u.json", "--strict"], dir);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^hbmscope: s.pickle: importTorchSnapshot: device_traces\[0\]\[1\]: unknown action "teleport".*\(strict: an inconsistent snapshot is refused\)\n$/);
    expect(existsSync(join(dir, "u.json"))).toBe(false);
  });

  it("inspect and replay of an inconsistent snapshot print its warnings on stderr, naming the entry", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-import-"));
    writeFileSync(join(dir, "s.pickle"), writePickle({ segments: [], device_traces: [[{ action: "alloc", addr: 0, size: 512 }, { action: "teleport", addr: 0, size: 1 }]] }));
    for (const cmd of ["inspect", "replay"]) {
      const r = await run([cmd, "s.pickle"], dir);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('warning: s.pickle: device_traces[0][1]: unknown action "teleport"; skipped (it carries no memory hbmscope knows of)\n');
    }
  });
});
