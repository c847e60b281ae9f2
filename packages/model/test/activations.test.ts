import { describe, expect, it } from "vitest";
import { defaultSetup, layerActivations, preset, withSetup } from "../src/index.js";

const llama = preset("llama-3-8b"); // GQA 32/8 heads of 128, SwiGLU 14336, no dropout
const s = 1024;
const base = withSetup(defaultSetup, (d) => { d.seq = s; d.batch = 1; });

describe("layerActivations", () => {
  it("layerActivations() of a GQA SwiGLU layer: Q a·d, K and V kv·d (flash), four s·f MLP tensors, no masks", () => {
    const l = layerActivations(llama, withSetup(base, (d) => { d.attention = "flash"; }));
    const h = 4096, A = 2;
    expect(l.attention.bytes).toBe(A * s * h + A * s * (32 + 16) * 128 + A * s * 32 * 128 + 4 * 32 * s);
    expect(l.mlp.bytes).toBe(A * s * h + 4 * A * s * 14336);
    expect(l.norms.bytes).toBe(2 * A * s * h);
  });

  it("layerActivations() with flash keeps an fp32 log-sum-exp per head and token instead of the s² scores", () => {
    const naive = layerActivations(llama, withSetup(base, (d) => { d.attention = "naive"; }));
    const flash = layerActivations(llama, withSetup(base, (d) => { d.attention = "flash"; }));
    expect(naive.attention.bytes - flash.attention.bytes).toBe(2 * 32 * s * s - 4 * 32 * s + 2 * 2 * s * (32 - 8) * 128);
  });

  it("layerActivations() of naive GQA attention saves K and V repeated to every query head (transformers repeat_kv before matmul)", () => {
    const l = layerActivations(llama, withSetup(base, (d) => { d.attention = "naive"; }));
    const h = 4096, A = 2;
    expect(l.attention.bytes).toBe(A * s * h + A * s * (32 + 2 * 32) * 128 + A * s * 32 * 128 + A * 32 * s * s);
  });

  it("layerActivations() adds A·s·b·r per LoRA target and drops the inputs only frozen linears read", () => {
    const full = layerActivations(llama, base);
    const lora = layerActivations(llama, withSetup(base, (d) => { d.method = "lora"; d.loraRank = 16; d.loraTargets = ["q", "v", "down"]; }));
    const A = 2, h = 4096;
    // Naive attention: the context is read only by the frozen o-projection; the MLP input only by frozen gate and up.
    expect(lora.attention.bytes - full.attention.bytes).toBe(2 * A * s * 16 - A * s * 32 * 128);
    expect(lora.mlp.bytes - full.mlp.bytes).toBe(A * s * 16 - A * s * h);
    // All seven targeted: only the adapters' x·A are added.
    const all = layerActivations(llama, withSetup(base, (d) => { d.method = "lora"; d.loraRank = 16; d.loraTargets = ["q", "k", "v", "o", "gate", "up", "down"]; }));
    expect(all.total.bytes - full.total.bytes).toBe(7 * A * s * 16);
  });

  it("layerActivations() under LoRA keeps flash's output O even with a frozen o-projection, but not under selective recomputation", () => {
    const lora = (d: typeof base) => withSetup(d, (x) => { x.method = "lora"; x.loraTargets = ["q"]; x.attention = "flash"; });
    const A = 2;
    const none = layerActivations(llama, lora(base));
    const selective = layerActivations(llama, withSetup(lora(base), (x) => { x.checkpointing = "selective"; }));
    expect(none.attention.bytes - selective.attention.bytes).toBe(A * s * 32 * 128 + 4 * 32 * s);
  });

  it("layerActivations() in fp32 saves 4-byte activations", () => {
    const bf = layerActivations(llama, base).total.bytes;
    const fp = layerActivations(llama, withSetup(base, (d) => { d.precision = "fp32"; })).total.bytes;
    expect(fp).toBe(2 * bf);
  });

  it("layerActivations() saved + recomputed is the same layer in every checkpointing mode (full: and the norm statistics)", () => {
    for (const attention of ["naive", "flash"] as const) {
      const at = (checkpointing: "none" | "selective" | "full") => layerActivations(llama, withSetup(base, (d) => { d.attention = attention; d.checkpointing = checkpointing; }));
      const none = at("none");
      expect(at("selective").total.bytes + at("selective").recomputed).toBe(none.total.bytes);
      // Full recomputation also rebuilds the two RMSNorms' fp32 statistics (4·sb each).
      expect(at("full").total.bytes + at("full").recomputed).toBe(none.total.bytes + 2 * 4 * s);
    }
  });
});
