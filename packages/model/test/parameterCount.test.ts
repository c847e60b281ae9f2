import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { modelTensors, parameterCount, presets, preset } from "../src/index.js";
import { modelSpecArbitrary } from "../src/testing.js";

describe("parameterCount", () => {
  for (const [name, p] of Object.entries(presets)) {
    it(`parameterCount() of ${name} matches its published total`, () => {
      const total = parameterCount(p.spec).total;
      if (p.exact) expect(total).toBe(p.publishedParams);
      else expect(Math.abs(total - p.publishedParams) / p.publishedParams).toBeLessThan(0.005);
    });
  }

  it("parameterCount() of llama-2-7b is 6,738,415,616 with 202,383,360 per layer", () => {
    const c = parameterCount(preset("llama-2-7b"));
    expect(c.total).toBe(6_738_415_616);
    expect(c.perLayer).toEqual({ attention: 4 * 4096 * 4096, mlp: 3 * 4096 * 11008, norms: 2 * 4096, total: 202_383_360 });
    expect(c.embedding).toBe(32000 * 4096);
    expect(c.lmHead).toBe(32000 * 4096);
  });

  it("parameterCount() counts GQA key/value projections with kvHeads × headDim outputs", () => {
    const c = parameterCount(preset("llama-3-8b"));
    expect(c.perLayer.attention).toBe(2 * 4096 * 4096 + 2 * 4096 * 1024);
  });

  it("parameterCount() of gpt2-small counts biases, LayerNorm biases, position embeddings and ties the head", () => {
    const c = parameterCount(preset("gpt2-small"));
    expect(c.positionEmbedding).toBe(1024 * 768);
    expect(c.lmHead).toBe(0);
    expect(c.perLayer.norms).toBe(4 * 768);
    expect(c.perLayer.attention).toBe(4 * 768 * 768 + 4 * 768);
  });

  test.prop([modelSpecArbitrary()])("parameterCount() parts sum to the total and equal the tensors' elements", (spec) => {
    const c = parameterCount(spec);
    expect(c.embedding + c.positionEmbedding + c.lmHead + c.finalNorm + c.layers).toBe(c.total);
    const fromTensors = modelTensors(spec).reduce((s, t) => s + t.elements * (t.perLayer ? spec.layers : 1), 0);
    expect(fromTensors).toBe(c.total);
  });

  test.prop([modelSpecArbitrary()])("parameterCount() untying the embeddings adds exactly vocab × hidden", (spec) => {
    const tied = parameterCount({ ...spec, tiedEmbeddings: true }).total;
    const untied = parameterCount({ ...spec, tiedEmbeddings: false }).total;
    expect(untied - tied).toBe(spec.vocab * spec.hidden);
  });

  test.prop([modelSpecArbitrary(), fc.integer({ min: 1, max: 4 })])("parameterCount() grows by one layer's count per layer", (spec, extra) => {
    const a = parameterCount(spec);
    const b = parameterCount({ ...spec, layers: spec.layers + extra });
    expect(b.total - a.total).toBe(extra * a.perLayer.total);
  });

  it("parameterCount() rejects heads that do not divide hidden, naming the fields", () => {
    expect(() => parameterCount({ ...preset("llama-2-7b"), heads: 33 })).toThrow(/heads \(33\) must divide hidden \(4096\)/);
    expect(() => parameterCount({ ...preset("llama-2-7b"), layers: Number.NaN })).toThrow(/layers must be a positive integer, got NaN/);
    expect(() => parameterCount({ ...preset("llama-2-7b"), kvHeads: 5 })).toThrow(/kvHeads \(5\) must divide heads \(32\)/);
  });
});
