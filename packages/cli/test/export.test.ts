import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPickle, type TorchSnapshot } from "@hbmscope/core";
import { run } from "./run.js";
import { traceEventFormatErrors } from "../../core/test/interop/traceEventFormat.js";

const fixtures = new URL("../../core/test/fixtures/", import.meta.url).pathname;
const MiB = 2 ** 20;

/**
 * The opcodes pytorch.org/memory_viz's own unpickler handles (torch/utils/viz/MemoryViz.js,
 * `unpickle`): anything else makes it stop with "UNKNOWN OPCODE". Walks a pickle as written by
 * writePickle (the opcodes with arguments it uses are listed with their argument length).
 */
function viewerRejects(b: Uint8Array): string[] {
  const fixed: Record<number, number> = { 0x80: 1, 0x4b: 1, 0x4d: 2, 0x4a: 4, 0x47: 8, 0x68: 1, 0x6a: 4, 0x71: 1, 0x72: 4, 0x95: 8 };
  const noArg = new Set([0x7d, 0x5d, 0x28, 0x75, 0x65, 0x61, 0x73, 0x64, 0x6c, 0x74, 0x29, 0x85, 0x86, 0x87, 0x88, 0x89, 0x4e, 0x94, 0x2e]);
  const bad: string[] = [];
  let i = 0;
  while (i < b.length) {
    const op = b[i++];
    if (op === 0x80 && (b[i] < 2 || b[i] > 4)) bad.push(`protocol ${b[i]}`);
    if (op in fixed) i += fixed[op];
    else if (op === 0x58) i += 4 + (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
    else if (op === 0x8c) i += 1 + b[i];
    else if (op === 0x8a) i += 1 + b[i];
    else if (!noArg.has(op)) bad.push(`opcode 0x${op.toString(16)} at ${i - 1}`);
    if (op === 0x2e) break;
  }
  return bad;
}

describe("hbmscope export", () => {
  it("export --format perfetto writes trace-event JSON with counters per category and reserved from the snapshot", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-export-"));
    const r = await run(["export", join(fixtures, "snapshot-fresh.pickle"), "--format", "perfetto", "--out", "p.json", "--json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "perfetto", out: "p.json" });
    const doc = JSON.parse(readFileSync(join(dir, "p.json"), "utf8"));
    expect(doc.displayTimeUnit).toBe("ms");
    const mem = doc.traceEvents.filter((e: any) => e.ph === "C" && e.name === "memory");
    expect(Math.max(...mem.map((e: any) => e.args.reserved))).toBe(64 * MiB);
  });

  it("export --format perfetto of a profiled tfjs step is valid trace-event JSON with counters per category", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-export-"));
    const small = ["--vocab", "32", "--hidden", "16", "--heads", "2", "--seq", "16", "--batch", "1", "--backend", "cpu"];
    expect((await run(["profile", ...small, "--out", "step.json"], dir)).code).toBe(0);
    const r = await run(["export", "step.json", "--format", "perfetto", "--allocator", "caching", "--out", "step.perfetto.json"], dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, "step.perfetto.json"), "utf8"));
    expect(traceEventFormatErrors(doc)).toEqual([]);
    const counters = new Set(doc.traceEvents.filter((e: any) => e.ph === "C").map((e: any) => e.name));
    for (const c of ["weight", "activation", "gradient", "optimizer", "memory"]) expect(counters).toContain(c);
    expect(doc.traceEvents.some((e: any) => e.ph === "X" && e.name === "backward")).toBe(true);
  });

  it("export --format torch-snapshot --allocator caching writes a pickle the viewer's reader takes, with the replay's segments", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-export-"));
    const r = await run(["export", join(fixtures, "snapshot-fresh.json"), "--format", "torch-snapshot", "--allocator", "caching", "--out", "s.pickle"], dir);
    expect(r.code).toBe(0);
    const bytes = new Uint8Array(readFileSync(join(dir, "s.pickle")));
    expect(viewerRejects(bytes)).toEqual([]);
    const snap = readPickle(bytes) as unknown as TorchSnapshot;
    expect(snap.segments.map((s) => s.total_size / MiB)).toEqual([2, 12, 30]);
  });

  it("export --format torch-snapshot to .json writes JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-export-"));
    const r = await run(["export", join(fixtures, "snapshot-ghosts.pickle"), "--format", "torch-snapshot", "--out", "s.json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "s.json"), "utf8")).device_traces[0][0].action).toBe("snapshot");
  });

  it("export with an unknown --format names the accepted ones", async () => {
    const r = await run(["export", join(fixtures, "snapshot-fresh.pickle"), "--format", "pdf", "--out", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format.*perfetto, torch-snapshot/);
  });
});
