import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "./run.js";

const lora = ["estimate", "--model", "llama-2-7b", "--method", "lora", "--precision", "mixed", "--batch", "1", "--seq", "2048", "--checkpointing", "full", "--attention", "flash"];
const full = lora.map((a) => (a === "lora" ? "full" : a));

describe("hbmscope estimate", () => {
  it("estimate of llama-2-7b LoRA on 24GB says it fits and shows where the bytes go", async () => {
    const r = await run([...lora, "--gpu", "24GB"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fits on 24GB \(22\.49 GiB\): yes/);
    for (const row of ["weights", "gradients", "optimizer", "activations", "logits + loss", "overhead", "total (peak + overhead)"]) expect(r.stdout).toContain(row);
    expect(r.stdout).toMatch(/peak: backward/);
  });

  it("estimate --json prints one object with every field, in bytes per GPU", async () => {
    const r = await run([...lora, "--gpu", "24GB", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ["weights", "gradients", "optimizer", "activations", "activationsPerLayer", "overhead", "total", "peakPhase", "params", "trainableParams", "fits", "maxBatch", "suggestions"]) {
      expect(j).toHaveProperty(k);
    }
    expect(j.params).toBe(6_738_415_616);
    expect(j.trainableParams).toBe(4_194_304);
    expect(j.fits).toBe(true);
    expect(j.maxBatch).toBeGreaterThan(1);
    expect(j.suggestions).toEqual([]);
    expect(j.peak.weights + j.peak.gradients + j.peak.optimizer + j.peak.activations + j.peak.temporary + j.overhead).toBe(j.total);
  });

  it("estimate with --method full does not fit on 80GB and its suggestions name setups that do", async () => {
    const r = await run([...full, "--gpu", "80GB", "--json"]);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j.fits).toBe(false);
    expect(j.suggestions.length).toBeGreaterThan(0);
    for (const s of j.suggestions.slice(0, 3)) {
      const args = [...full];
      const flags = s.flags.split(" ");
      for (let i = 0; i < flags.length; i += 2) {
        const at = args.indexOf(flags[i]);
        if (at >= 0) args[at + 1] = flags[i + 1];
        else args.push(flags[i], flags[i + 1]);
      }
      const again = JSON.parse((await run([...args, "--gpu", "80GB", "--json"])).stdout);
      expect(again.fits).toBe(true);
      expect(again.total).toBe(s.total);
    }
    const human = await run([...full, "--gpu", "80GB"]);
    expect(human.stdout).toMatch(/fits on 80GB \(79\.65 GiB\): no/);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/^hbmscope: does not fit: needs [\d.]+ GiB on 80GB \(79\.65 GiB\)\n$/);
    expect(human.stdout).toMatch(/--method lora/);
  });

  it("estimate without --gpu reports every tier", async () => {
    const j = JSON.parse((await run([...lora, "--json"])).stdout);
    expect(Object.keys(j.fits)).toEqual(["16GB", "24GB", "40GB", "48GB", "80GB", "141GB"]);
    expect(j.fits["16GB"]).toBe(true);
    const human = await run(lora);
    expect(human.stdout).toContain("fits on each tier:");
  });

  it("estimate --json carries the estimator's own notes and then the notes about the flags", async () => {
    // --seq beyond the model's positions is the estimator's note; --zero 3 with dp 1 is the CLI's.
    const r = await run([...lora, "--seq", "8192", "--zero", "3", "--json"]);
    expect(r.code).toBe(0);
    const notes = JSON.parse(r.stdout).notes as string[];
    const own = notes.findIndex((n) => /seq 8192 is longer than llama-2-7b's 4096 positions/.test(n));
    const flag = notes.findIndex((n) => /--zero/.test(n));
    expect(own).toBeGreaterThanOrEqual(0);
    expect(flag).toBeGreaterThan(own);
    const params = JSON.parse((await run(["estimate", "--params", "4e9", "--zero", "3", "--json"])).stdout).notes as string[];
    expect(params[0]).toMatch(/activations need the architecture/);
    expect(params.some((n) => /--zero/.test(n))).toBe(true);
  });

  it("estimate --params gives model states only and says activations need the architecture", async () => {
    const r = await run(["estimate", "--params", "4e9", "--precision", "bf16-pure", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect([j.weights, j.gradients, j.optimizer]).toEqual([8e9, 8e9, 16e9]);
    expect(j.activations).toBeNull();
    const human = await run(["estimate", "--params", "4e9", "--precision", "bf16-pure"]);
    expect(human.stdout).toContain("activations need the architecture");
    const noAdapters = await run(["estimate", "--params", "7e9", "--method", "lora"]);
    expect(noAdapters.code).toBe(2);
    expect(noAdapters.stderr).toMatch(/--trainable-params/);
  });

  it("estimate reads a Hugging Face config.json and names a missing field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-est-"));
    const config = { model_type: "llama", hidden_size: 2048, intermediate_size: 8192, num_attention_heads: 32, num_hidden_layers: 16, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 131072, tie_word_embeddings: true, head_dim: 64, hidden_act: "silu" };
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    const r = await run(["estimate", "--model", "config.json", "--json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).params).toBe(1_235_814_400);
    const { vocab_size: _, ...broken } = config;
    writeFileSync(join(dir, "broken.json"), JSON.stringify(broken));
    const bad = await run(["estimate", "--model", "broken.json"], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--model broken.json: modelFromHfConfig: config.json has no "vocab_size"/);
  });

  it("estimate rejects bad values naming the flag and what is accepted", async () => {
    const method = await run(["estimate", "--model", "llama-2-7b", "--method", "dora"]);
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/--method.*dora.*full, lora, qlora/s);
    const tp = await run(["estimate", "--model", "llama-2-7b", "--tp", "3"]);
    expect(tp.code).toBe(2);
    expect(tp.stderr).toMatch(/--tp 3 must divide the 32 attention heads/);
    const batch = await run(["estimate", "--model", "llama-2-7b", "--batch", "0"]);
    expect(batch.stderr).toMatch(/--batch takes an integer from 1 to 1048576/);
    const model = await run(["estimate", "--model", "llama2-7b"]);
    expect(model.stderr).toMatch(/did you mean llama-2-7b/);
    const gpu = await run(["estimate", "--model", "llama-2-7b", "--gpu", "V100"]);
    expect(gpu.stderr).toMatch(/--gpu: unknown GPU "V100"/);
    const none = await run(["estimate"]);
    expect(none.stderr).toMatch(/needs --model <preset\|config.json> or --params <n>/);
  });
});
