import { describe, expect, it } from "vitest";
import { join } from "node:path";
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
    expect(r.stdout).toContain("PyTorch recorded: reserved peak 22 MiB, 22 MiB at the end");
    expect(r.stdout).not.toContain("caching model");
  });

  it("replay prints that the caching model reproduces PyTorch's segments", async () => {
    const r = await run(["replay", join(fixtures, "snapshot-ghosts.pickle")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("the caching model reproduces PyTorch's segments (1), reserved bytes and 3 live block sizes");
  });
});
