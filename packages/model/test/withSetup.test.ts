import { describe, expect, it } from "vitest";
import { defaultSetup, preset, validateSetup, withSetup } from "../src/index.js";

describe("withSetup", () => {
  it("withSetup() derives a frozen variant and leaves the base alone", () => {
    const q = withSetup(defaultSetup, (d) => {
      d.method = "qlora";
      d.loraTargets.push("o");
    });
    expect(q.method).toBe("qlora");
    expect(q.loraTargets).toEqual(["q", "v", "o"]);
    expect(defaultSetup.method).toBe("full");
    expect(defaultSetup.loraTargets).toEqual(["q", "v"]);
    expect(Object.isFrozen(q)).toBe(true);
    expect(Object.isFrozen(q.loraTargets)).toBe(true);
    expect(() => ((q as { batch: number }).batch = 2)).toThrow();
  });

  it("withSetup() rejects NaN, zero and unknown values naming the field and the accepted values", () => {
    expect(() => withSetup(defaultSetup, (d) => void (d.batch = Number.NaN))).toThrow(/batch must be a positive integer, got NaN/);
    expect(() => withSetup(defaultSetup, (d) => void (d.seq = 0))).toThrow(/seq must be a positive integer, got 0/);
    expect(() => withSetup(defaultSetup, (d) => void (d.optimizer = "adam" as never))).toThrow(/optimizer "adam" is not one of adamw, adamw-8bit, sgd, sgd-momentum, adafactor, lion/);
    expect(() => withSetup(defaultSetup, (d) => void (d.zero = 4 as never))).toThrow(/zero 4 is not one of 0, 1, 2, 3/);
    expect(() => withSetup(defaultSetup, (d) => { d.method = "lora"; d.loraTargets = ["qkv"]; })).toThrow(/loraTargets has "qkv"; accepted: q, k, v, o, gate, up, down/);
  });
});

describe("validateSetup", () => {
  it("validateSetup() refuses a LoRA rank above the smaller dimension of an adapted layer", () => {
    expect(() => validateSetup(preset("llama-2-7b"), { ...defaultSetup, method: "lora", loraRank: 32768 })).toThrow(
      "setup: loraRank 32768 is above 4096, the smaller dimension of the adapted q layer of llama-2-7b; ranks 1 to 4096 are accepted here",
    );
    // llama-3-8b's v projection is 4096 x 1024 (8 key/value heads of 128)
    expect(() => validateSetup(preset("llama-3-8b"), { ...defaultSetup, method: "lora", loraRank: 1025 })).toThrow(/above 1024, the smaller dimension of the adapted v layer/);
    expect(validateSetup(preset("llama-3-8b"), { ...defaultSetup, method: "lora", loraRank: 1024 }).loraRank).toBe(1024);
    // full fine-tuning has no adapters: the rank is not read
    expect(validateSetup(preset("llama-2-7b"), { ...defaultSetup, loraRank: 32768 }).loraRank).toBe(32768);
  });

  it("validateSetup() needs tp to divide the heads", () => {
    expect(() => validateSetup(preset("llama-2-7b"), { ...defaultSetup, tp: 3 })).toThrow(/tp 3 must divide the 32 attention heads of llama-2-7b/);
    expect(validateSetup(preset("llama-2-7b"), { ...defaultSetup, tp: 8 }).tp).toBe(8);
  });

  it("validateSetup() needs tp and kv heads to divide one another", () => {
    expect(() => validateSetup(preset("qwen2.5-0.5b"), { ...defaultSetup, tp: 7 })).toThrow(/tp 7 and the 2 key\/value heads/);
  });

  it("validateSetup() rejects seq beyond learned positions and gate on a GELU model", () => {
    expect(() => validateSetup(preset("gpt2-small"), { ...defaultSetup, seq: 2048 })).toThrow(/seq 2048 exceeds the 1024 learned positions/);
    expect(() => validateSetup(preset("gpt2-small"), { ...defaultSetup, seq: 512, method: "lora", loraTargets: ["gate"] })).toThrow(/GELU MLP/);
    expect(() => validateSetup(preset("gpt2-small"), { ...defaultSetup, seq: 512, pp: 13 })).toThrow(/pp 13 is more than the 12 layers/);
  });
});
