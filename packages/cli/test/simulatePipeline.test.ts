import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace } from "@hbmscope/core";
import { run } from "./run.js";

const GiB = 2 ** 30;

describe("hbmscope simulate --pp", () => {
  it("simulate --pp 4 --microbatches 8 --json: every stage of a 1F1B step of Llama-2-7B, each agreeing with estimate --json's stages", async () => {
    const args = ["--model", "llama-2-7b", "--pp", "4", "--microbatches", "8", "--implementation", "fused", "--json"];
    const t0 = performance.now();
    const sim = await run(["simulate", ...args, "--allocator", "ideal"]);
    const seconds = (performance.now() - t0) / 1000;
    expect(sim.code).toBe(0);
    const s = JSON.parse(sim.stdout);
    expect(s.schedule).toBe("1f1b");
    expect(s.stages.map((x: { stage: number }) => x.stage)).toEqual([0, 1, 2, 3]);
    const e = JSON.parse((await run(["estimate", ...args])).stdout);
    expect(e.stages).toHaveLength(4);
    for (let i = 0; i < 4; i++) {
      expect(s.stages[i].peakPhase).toBe(e.stages[i].peakPhase);
      // docs/estimator.md: the stages of a 7B model agree within 0 to +1%.
      expect(e.stages[i].peakBytes / s.stages[i].peakBytes - 1).toBeGreaterThanOrEqual(-0.001);
      expect(e.stages[i].peakBytes / s.stages[i].peakBytes - 1).toBeLessThanOrEqual(0.01);
    }
    // The first stage holds the most under 1F1B; the stages fall towards the last.
    expect(s.stages[0].peakBytes).toBeGreaterThan(s.stages[1].peakBytes);
    expect(s.stages[0].peakBytes / GiB).toBeGreaterThan(40);
    expect(seconds).toBeLessThan(10);
  });

  it("simulate --schedules gpipe,1f1b,interleaved writes one chart and one trace per schedule and stage", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-pp-"));
    const r = await run(["simulate", "--model", "gpt2-small", "--seq", "256", "--pp", "2", "--microbatches", "4", "--schedules", "gpipe,1f1b,interleaved", "--svg", join(dir, "pp.svg"), "--out", join(dir, "t.json"), "--json", "--allocator", "ideal"], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.schedules.map((x: { schedule: string }) => x.schedule)).toEqual(["gpipe", "1f1b", "interleaved"]);
    const [g, f] = out.schedules;
    expect(g.stages[0].peakBytes).toBeGreaterThanOrEqual(f.stages[0].peakBytes);
    for (const sch of ["gpipe", "1f1b", "interleaved"]) {
      for (const stage of [0, 1]) {
        const file = join(dir, `t.${sch}.stage${stage}.json`);
        expect(existsSync(file)).toBe(true);
        expect(parseTrace(readFileSync(file, "utf8")).meta).toMatchObject({ pipeline: { stage, schedule: sch } });
      }
    }
    const svg = readFileSync(join(dir, "pp.svg"), "utf8");
    expect(svg.match(/class="stage"/g)).toHaveLength(6);
    expect(svg).toContain("gpipe vs 1f1b vs interleaved");
  });

  it("simulate --pp: notes for flags without effect, clear errors for what a pipeline cannot take", async () => {
    const notes = await run(["simulate", "--model", "gpt2-small", "--seq", "128", "--pp", "2", "--virtual-stages", "3", "--json", "--allocator", "ideal"]);
    expect(notes.code).toBe(0);
    const n = JSON.parse(notes.stdout).notes.join("\n");
    expect(n).toMatch(/--virtual-stages has no effect without the interleaved schedule/);
    expect(n).toMatch(/implementation hf does not model pipeline parallelism/);
    const one = await run(["simulate", "--model", "gpt2-small", "--seq", "128", "--schedule", "gpipe", "--json", "--allocator", "ideal"]);
    expect(JSON.parse(one.stdout).notes.join("\n")).toMatch(/--schedule gpipe has no effect with --pp 1/);
    const odd = await run(["simulate", "--model", "gpt2-small", "--seq", "128", "--pp", "4", "--microbatches", "6", "--schedule", "interleaved"]);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(/interleaved needs --microbatches \(6\) to be a multiple of pp \(4\)/);
    const uneven = await run(["simulate", "--model", "gpt2-small", "--seq", "128", "--pp", "4", "--microbatches", "4", "--schedule", "interleaved", "--virtual-stages", "2"]);
    expect(uneven.code).toBe(2);
    expect(uneven.stderr).toMatch(/interleaving needs the 12 layers to split evenly into pp × virtual stages = 8 chunks/);
    const bad = await run(["simulate", "--model", "gpt2-small", "--seq", "128", "--pp", "2", "--schedules", "gpipe,zigzag"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--schedules takes a comma-separated list of gpipe, 1f1b, interleaved, got "zigzag"/);
    const stdout = await run(["simulate", "--model", "gpt2-small", "--seq", "128", "--pp", "2", "--out", "-"]);
    expect(stdout.code).toBe(2);
    expect(stdout.stderr).toMatch(/--out - holds one trace; with --pp 2 each stage has its own/);
    const tfjs = await run(["simulate", "--model", "gpt2-small", "--seq", "128", "--pp", "2", "--semantics", "tfjs"]);
    expect(tfjs.code).toBe(2);
  });

  it("simulate --pp exits 3 when a stage does not fit --capacity, naming the stage", async () => {
    const r = await run(["simulate", "--model", "llama-2-7b", "--pp", "2", "--microbatches", "2", "--implementation", "fused", "--capacity", "24GB", "--json"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/stage 0 \(1f1b\): .*out of memory/i);
    expect(JSON.parse(r.stdout).stages[0].oom).toBe(true);
  });
});
