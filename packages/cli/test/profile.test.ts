import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace } from "@hbmscope/core";
import { run } from "./run.js";

const small = ["--vocab", "32", "--hidden", "16", "--heads", "2", "--seq", "16", "--batch", "1"];

describe("hbmscope profile", () => {
  it("profile --json prints peaks in three views, the peak's phase and op, and writes a trace inspect agrees with", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-profile-"));
    const r = await run(["profile", ...small, "--backend", "cpu", "--json", "--out", "t.json"], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(["peak", "peakPhase", "peakOp", "byCategoryAtPeak", "stepMs", "events"]);
    expect(report.peak.logical).toBeGreaterThanOrEqual(report.peak.physical);
    expect(report.peak.backend).toBeGreaterThanOrEqual(report.peak.physical);
    expect(report.peakPhase).toBe("backward");
    const trace = parseTrace(readFileSync(join(dir, "t.json"), "utf8"));
    expect(trace.meta).toMatchObject({ source: "tfjs", backend: "cpu", model: { vocab: 32, hidden: 16, heads: 2 } });
    const inspect = JSON.parse((await run(["inspect", "t.json", "--json"], dir)).stdout);
    expect(inspect.peaks).toEqual(report.peak);
    expect(inspect.peakPhase).toBe(report.peakPhase);
    expect(inspect.peakOp).toBe(report.peakOp);
  });

  it("profile prints the peak, where it happens and the breakdown (wasm, forward, flash)", async () => {
    const r = await run(["profile", ...small, "--mode", "forward", "--attention", "flash", "--block-size", "8"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/forward step on wasm: vocab 32, hidden 16, heads 2, layers 1, ffn 64, seq 16, batch 1, attention flash \(block 8\)/);
    expect(r.stdout).toMatch(/peak: logical .*, physical .*, backend /);
    expect(r.stdout).toMatch(/physical peak at event \d+: phase forward, op \w+/);
    expect(r.stderr).toMatch(/profiling one forward step on wasm/);
  });

  it("profile reads model dims from a Hugging Face config.json, and flags override it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-model-"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ vocab_size: 40, hidden_size: 24, num_attention_heads: 3, num_hidden_layers: 1, intermediate_size: 48 }));
    const r = await run(["profile", "--model", "config.json", "--seq", "8", "--batch", "1", "--heads", "2", "--backend", "cpu"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/vocab 40, hidden 24, heads 2, layers 1, ffn 48, seq 8/);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ hidden_size: 24 }));
    const bad = await run(["profile", "--model", "bad.json"], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--model: bad.json has no vocab_size/);
  });

  it("profile names the option on bad input", async () => {
    expect((await run(["profile", "--heads", "3"])).stderr).toBe("hbmscope: --heads (3) must divide --hidden (64)\n");
    const backend = await run(["profile", "--backend", "gpu"]);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toMatch(/--backend.*wasm, cpu, tensorflow/);
    expect((await run(["profile", "--attention", "sparse"])).stderr).toMatch(/--attention.*naive, chunked, chunked-recompute, flash/);
    expect((await run(["profile", "--seq", "0"])).stderr).toMatch(/--seq takes an integer from 1 to 1048576/);
    const tfnode = await run(["profile", "--backend", "tensorflow"]);
    expect(tfnode.code).toBe(1);
    expect(tfnode.stderr).toMatch(/npm i @tensorflow\/tfjs-node/);
  });

  it("profile reports running out of memory with exit code 3 and keeps the partial trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-oom-"));
    // w1 would be 64 x 2^28 floats: more than a typed array can hold, so the allocation throws at once.
    const r = await run(["profile", "--backend", "cpu", "--vocab", "32", "--ffn", "268435456", "--seq", "8", "--out", "partial.json"], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^hbmscope: out of memory during the traced step \(Invalid typed array length.*partial trace \(\d+ events\) written to partial.json\n$/m);
    const trace = parseTrace(readFileSync(join(dir, "partial.json"), "utf8"));
    expect(trace.events.length).toBeGreaterThan(0);
    expect(trace.buffers.some((b) => b.category === "weight")).toBe(true);
  });
});
