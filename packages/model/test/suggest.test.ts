import { describe, expect, it } from "vitest";
import { defaultSetup, estimate, fits, maxBatch, preset, suggest, withSetup } from "../src/index.js";

const llama = preset("llama-2-7b");
const loraSetup = withSetup(defaultSetup, (d) => { d.method = "lora"; d.checkpointing = "full"; d.attention = "flash"; });
const fullSetup = withSetup(loraSetup, (d) => { d.method = "full"; });

describe("suggest", () => {
  it("suggest() of llama-2-7b full fine-tuning on 80 GB names setups that fit, cheapest first", () => {
    const s = suggest(llama, fullSetup, "80GB");
    expect(s.length).toBeGreaterThan(0);
    for (const x of s) {
      expect(x.total).toBeLessThanOrEqual(80e9);
      expect(estimate(llama, x.setup).total).toBe(x.total);
    }
    for (let i = 1; i < s.length; i++) expect(s[i].cost).toBeGreaterThanOrEqual(s[i - 1].cost);
    expect(s.some((x) => x.changes.some((c) => c.field === "method" && c.to === "lora"))).toBe(true);
  });

  it("suggest() with implementation hf swaps eager attention for SDPA and never proposes what the hf profile does not model", () => {
    // Eager attention keeps fp32 probabilities and their bf16 copy in every layer: 48 GiB; SDPA alone fits 40 GB.
    const setup = withSetup(defaultSetup, (d) => { d.method = "lora"; });
    const all = suggest(preset("llama-2-7b"), setup, "40GB", { limit: 50 });
    expect(all.length).toBeGreaterThan(0);
    const changes = all.flatMap((s) => s.changes.map((c) => `${c.field}=${String(c.to)}`));
    expect(changes).toContain("attention=sdpa");
    expect(changes).not.toContain("attention=flash");
    expect(changes).not.toContain("checkpointing=selective");
    expect(changes).not.toContain("method=qlora");
    for (const s of all) expect(s.total).toBe(estimate(preset("llama-2-7b"), s.setup).total);
  });

  it("suggest() returns nothing for a setup that already fits", () => {
    expect(suggest(llama, loraSetup, "24GB")).toEqual([]);
  });

  it("suggest() keeps only minimal combinations", () => {
    const s = suggest(llama, fullSetup, "80GB");
    const keys = s.map((x) => new Set(x.changes.map((c) => `${c.field}=${String(c.to)}`)));
    for (const a of keys) for (const b of keys) if (a !== b) expect([...a].every((k) => b.has(k)) && a.size < b.size).toBe(false);
  });

  it("suggest() can trade batch for memory", () => {
    const big = withSetup(loraSetup, (d) => { d.batch = 64; });
    const s = suggest(llama, big, "24GB");
    expect(s.some((x) => x.changes.some((c) => c.field === "batch"))).toBe(true);
  });
});
