import { describe, expect, it } from "vitest";
import { nearestPresets, preset, presets } from "../src/index.js";

describe("preset", () => {
  it("preset() finds names regardless of case, separators, org prefix and -hf", () => {
    expect(preset("Llama-2-7B").name).toBe("llama-2-7b");
    expect(preset("meta-llama/Llama-2-7b-hf").name).toBe("llama-2-7b");
    expect(preset("gpt2").name).toBe("gpt2-small");
    expect(preset("qwen2.5 7b").name).toBe("qwen2.5-7b");
  });

  it("preset() returns frozen specs", () => {
    expect(Object.isFrozen(preset("mistral-7b"))).toBe(true);
  });

  it("preset() of an unknown name suggests the nearest and lists all", () => {
    expect(() => preset("lama-2-7b")).toThrow(/unknown model "lama-2-7b"; did you mean llama-2-7b/);
    expect(() => preset("mistral7b")).toThrow(/did you mean mistral-7b/);
    expect(() => preset("nothing")).toThrow(/Known: gpt2-small/);
  });

  it("nearestPresets() puts the closest name first", () => {
    expect(nearestPresets("llama-3.2-2b")[0]).toMatch(/^llama-3\.2-[13]b$/);
    expect(nearestPresets("gemma-3b")[0]).toMatch(/^gemma-/);
  });

  it("presets cite a config for every model", () => {
    for (const p of Object.values(presets)) expect(p.source).toMatch(/huggingface\.co|Brown et al/);
  });
});
