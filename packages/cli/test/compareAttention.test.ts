import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "./run.js";

const small = ["--vocab", "32", "--hidden", "16", "--heads", "2", "--batch", "1", "--block-size", "16"];

describe("hbmscope compare-attention", () => {
  it("compare-attention --json prints { rows } with peaks per view, attention bytes, time and diff vs naive", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-compare-"));
    const r = await run(["compare-attention", ...small, "--seq", "32,64", "--backend", "cpu", "--json", "--out", "traces"], dir);
    expect(r.code).toBe(0);
    const { rows, ...rest } = JSON.parse(r.stdout);
    expect(rest).toEqual({});
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(["variant", "seq", "mode", "peak", "attentionExtraBytes", "stepMs", "maxGradDiff"]);
      expect(Object.keys(row.peak)).toEqual(["logical", "physical", "backend"]);
      expect(row.maxGradDiff).toBeLessThan(1e-4);
    }
    const at64 = Object.fromEntries(rows.filter((x: { seq: number }) => x.seq === 64).map((x: { variant: string }) => [x.variant, x]));
    expect(at64.flash.peak.physical).toBeLessThan(at64.naive.peak.physical);
    expect(readdirSync(join(dir, "traces")).sort()).toContain("flash-seq64-train.trace.json");
    expect(r.stderr).toMatch(/\[8\/8\] flash at seq 64 \(train\)/);
  });

  it("compare-attention prints a table in forward mode for the chosen variants", async () => {
    const r = await run(["compare-attention", ...small, "--seq", "32", "--mode", "forward", "--variants", "flash"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^variant\s+seq\s+mode\s+logical\s+physical\s+backend\s+attention extra\s+step ms\s+max diff vs naive$/);
    expect(r.stdout).toMatch(/^flash\s+32\s+forward/m);
    expect((await run(["compare-attention", "--variants", "flash,foo"])).stderr).toMatch(/unknown variant "foo"; accepted: naive, chunked, chunked-recompute, flash/);
  });

  it("compare-attention --modes train,forward runs both modes in one comparison and draws a panel for each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-compare-modes-"));
    const r = await run(["compare-attention", ...small, "--seq", "32", "--variants", "flash", "--modes", "train,forward", "--backend", "cpu", "--json", "--svg", "a.svg"], dir);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as { variant: string; mode: string }[];
    expect(rows.map((x) => `${x.variant}/${x.mode}`).sort()).toEqual(["flash/forward", "flash/train"]);
    expect(r.stderr).toMatch(/\[4\/4\] flash at seq 32 \(forward\)/);
    const svg = readFileSync(join(dir, "a.svg"), "utf8");
    expect(svg).toMatch(/>training step</);
    expect(svg).toMatch(/>forward only</);
    const both = await run(["compare-attention", "--mode", "train", "--modes", "forward"]);
    expect([both.code, both.stderr.trim()]).toEqual([2, "hbmscope: compare-attention takes --mode or --modes, not both"]);
    expect((await run(["compare-attention", "--modes", "train,back"])).stderr).toMatch(/--modes: unknown mode "back"; accepted: train, forward/);
  });
});
