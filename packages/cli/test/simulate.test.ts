import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace } from "@hbmscope/core";
import { run } from "./run.js";

describe("hbmscope simulate", () => {
  it("simulate says when implementation hf falls back to fused (QLoRA), on stderr and in --json notes", async () => {
    const r = await run(["simulate", "--model", "llama-2-7b", "--method", "qlora", "--seq", "256", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).notes.join(" ")).toMatch(/implementation hf does not model QLoRA .* simulated with implementation fused/);
    expect(r.stderr).toMatch(/^note: implementation hf does not model QLoRA/m);
    const plain = await run(["simulate", "--model", "llama-2-7b", "--method", "lora", "--seq", "256", "--json"]);
    expect(JSON.parse(plain.stdout).notes).toEqual([]);
  });

  it("simulate --json: Llama-2-7B QLoRA with full checkpointing and flash fits in 24GB", async () => {
    const r = await run(["simulate", "--model", "llama-2-7b", "--method", "qlora", "--batch", "1", "--seq", "2048", "--checkpointing", "full", "--attention", "flash", "--allocator", "caching", "--capacity", "24GB", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.oom).toBeNull();
    expect(out.peakBytes).toBeGreaterThan(3e9);
    expect(out.reservedPeak).toBeGreaterThanOrEqual(out.allocatedPeak);
    expect(out.reservedPeak).toBeLessThan(24e9);
    expect(["forward", "backward", "optimizer"]).toContain(out.peakPhase);
    expect(Object.values(out.byCategoryAtPeak as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(out.peakBytes);
    expect(out.events).toBeGreaterThan(1000);
  });

  it("simulate: Llama-2-7B full fine-tuning in mixed precision reports OOM on 80GB with exit code 3", async () => {
    const r = await run(["simulate", "--model", "llama-2-7b", "--method", "full", "--precision", "mixed", "--batch", "1", "--seq", "2048", "--checkpointing", "full", "--attention", "flash", "--allocator", "caching", "--capacity", "80GB", "--json"]);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.oom.capacity).toBe(81559 * 2 ** 20);
    expect(out.oom.free).toBeLessThan(81559 * 2 ** 20 - 512 * 2 ** 20 - 8_519_680 - out.oom.allocated);
    expect(out.oom.message).toMatch(/Device has a total capacity of 79\.65 GiB of which [\d.]+ (MiB|GiB|KiB|bytes) is free\. Including 520\.13 MiB outside the allocator, this process has [\d.]+ GiB memory in use\./);
    expect(out.device.gpu).toMatchObject({ name: "80GB", bytes: 81559 * 2 ** 20 });
    expect(r.stderr).toMatch(/out of memory/);
  });

  it("simulate --out writes a trace that parses; a config.json works with tfjs semantics", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-sim-"));
    const config = join(dir, "config.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(config, JSON.stringify({ vocab_size: 64, hidden_size: 32, num_attention_heads: 4, num_hidden_layers: 1, intermediate_size: 128, hidden_act: "gelu", max_position_embeddings: 64 }));
    const r = await run(["simulate", "--model", config, "--semantics", "tfjs", "--backend", "cpu", "--seq", "32", "--batch", "2", "--out", join(dir, "t.json"), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const trace = parseTrace(JSON.parse(readFileSync(join(dir, "t.json"), "utf8")));
    expect(trace.meta.source).toBe("simulated");
    expect(JSON.parse(r.stdout).peakPhase).toBe("backward");
  });

  it("simulate names the flag and the accepted values on bad input", async () => {
    const r = await run(["simulate", "--model", "llama-2-7b", "--semantics", "jax"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--semantics/);
    expect(r.stderr).toMatch(/eager/);
    const t = await run(["simulate", "--model", "llama-2-7b", "--semantics", "tfjs", "--precision", "mixed"]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/tfjs semantics/);
  });

  it("simulate with sizes beyond 2^53 says so and exits 2, writing no trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-sim-"));
    const r = await run(["simulate", "--model", "llama-2-7b", "--seq", "16777216", "--out", "t.json"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hbmscope: simulate: the step needs a buffer of 18014398509481984 bytes \(\w+\), beyond 2\^53 - 1 bytes/);
    expect(existsSync(join(dir, "t.json"))).toBe(false);
  });
});
