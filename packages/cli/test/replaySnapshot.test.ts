import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePickle } from "@hbmscope/core";
import { run } from "./run.js";

const fixtures = new URL("../../core/test/fixtures/", import.meta.url).pathname;
const MiB = 2 ** 20;

describe("hbmscope replay on a PyTorch snapshot", () => {
  it("replay snap.pickle --json replays it with its own allocator settings and checks it against PyTorch's record", async () => {
    const r = await run(["replay", join(fixtures, "snapshot-fresh.pickle"), "--allocator", "caching", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.reservedPeak).toBe(64 * MiB);
    expect(out.snapshot.pytorchReservedPeak).toBe(64 * MiB);
    expect(out.snapshot.comparison.findings).toEqual([]);
  });

  it("replay snap.json --allocator planned says what a planned arena would reserve next to PyTorch's peak", async () => {
    const r = await run(["replay", join(fixtures, "snapshot-ghosts.json"), "--allocator", "planned"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("PyTorch recorded: reserved peak 22.00 MiB, 22.00 MiB at the end");
    expect(r.stdout).not.toContain("caching model");
  });

  it("replay prints that the caching model reproduces PyTorch's segments", async () => {
    const r = await run(["replay", join(fixtures, "snapshot-ghosts.pickle")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("the caching model reproduces PyTorch's segments (1), reserved bytes and 3 live block sizes");
  });

  it("replay --expandable-segments on replays a snapshot as if PyTorch had grown one range (a what-if: no comparison)", async () => {
    const r = await run(["replay", join(fixtures, "snapshot-ghosts.pickle"), "--expandable-segments", "on", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.allocator.expandableSegments).toBe(true);
    expect(out.reservedPeak % (2 * MiB)).toBe(0);
    expect(out.snapshot.comparison).toBeNull();
  });

  it("replay of a snapshot recorded with expandable_segments:True reproduces PyTorch's maps and unmaps", async () => {
    // By hand from CUDACachingAllocator.cpp (20 MiB pages for large blocks): A 30 MiB maps 40 MiB;
    // B 5 MiB splits the rest; C 15 MiB maps one more page after the free 5 MiB; A is freed; an
    // empty_cache unmaps the whole page under it; D 25 MiB maps that page back, next to the free 10.
    const base = 0x7f0000000000;
    const e = (action: string, at: number, size: number) => ({ action, addr: base + at * MiB, size: size * MiB, stream: 0 });
    const snapshot = {
      segments: [{ device: 0, address: base, total_size: 60 * MiB, stream: 0, segment_type: "large", is_expandable: true, blocks: [
        { address: base, size: 25 * MiB, requested_size: 25 * MiB, state: "active_allocated" },
        { address: base + 25 * MiB, size: 5 * MiB, requested_size: 0, state: "inactive" },
        { address: base + 30 * MiB, size: 5 * MiB, requested_size: 5 * MiB, state: "active_allocated" },
        { address: base + 35 * MiB, size: 15 * MiB, requested_size: 15 * MiB, state: "active_allocated" },
        { address: base + 50 * MiB, size: 10 * MiB, requested_size: 0, state: "inactive" },
      ] }],
      device_traces: [[
        e("segment_map", 0, 40), e("alloc", 0, 30), e("alloc", 30, 5), e("segment_map", 40, 20), e("alloc", 35, 15),
        e("free_requested", 0, 30), e("free_completed", 0, 30), e("segment_unmap", 0, 20), e("segment_map", 0, 20), e("alloc", 0, 25),
      ]],
      allocator_settings: { expandable_segments: true },
    };
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-expandable-"));
    writeFileSync(join(dir, "snap.pickle"), writePickle(snapshot));
    const r = await run(["replay", join(dir, "snap.pickle"), "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.allocator.expandableSegments).toBe(true);
    expect(out.reservedPeak).toBe(60 * MiB);
    expect(out.snapshot.comparison.findings).toEqual([]);
    expect(out.snapshot.comparison.blocks).toEqual({ checked: 3, mismatched: 0 });
    const fixed = JSON.parse((await run(["replay", join(dir, "snap.pickle"), "--expandable-segments", "off", "--json"])).stdout);
    expect(fixed.allocator.expandableSegments).toBe(false);
    expect(fixed.snapshot.comparison).toBeNull();
    // render and export replay with the snapshot's own settings too.
    const svg = join(dir, "map.svg");
    expect((await run(["render", join(dir, "snap.pickle"), "--kind", "segments", "--out", svg])).code).toBe(0);
    expect(readFileSync(svg, "utf8")).toContain("peak reserved 60.00 MiB");
  });

  it("replay of a snapshot with invalid allocator_settings says the setting came from the snapshot and what to do", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-settings-"));
    const snap = { segments: [], device_traces: [[{ action: "alloc", addr: 0, size: 512 }]], allocator_settings: { roundup_power2_divisions: { "1": 3 } } };
    writeFileSync(join(dir, "s.pickle"), writePickle(snap));
    const r = await run(["replay", "s.pickle"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'hbmscope: the snapshot\'s allocator_settings.roundup_power2_divisions is {"1":3}, which PyTorch does not accept (0, 1 or a power of two for each interval); correct it in the snapshot to replay it through the caching allocator, or replay with --allocator bfc, ideal or planned, which do not read it\n',
    );
    expect((await run(["replay", "s.pickle", "--allocator", "bfc"], dir)).code).toBe(0);
  });

  it("replay --expandable-segments with another allocator notes that it has no effect", async () => {
    const r = await run(["replay", join(fixtures, "snapshot-fresh.pickle"), "--allocator", "bfc", "--expandable-segments", "on", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("note: --expandable-segments has no effect with --allocator bfc: it is a setting of PyTorch's caching allocator\n");
    expect(JSON.parse(r.stdout).notes).toHaveLength(1);
  });
});
