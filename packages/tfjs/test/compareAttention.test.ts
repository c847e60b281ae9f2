import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { parseTrace, serializeTrace } from "@hbmscope/core";
import { compareAttention } from "../src/index.js";

const config = { vocab: 32, hidden: 16, heads: 2, layers: 1, batch: 1, blockSize: 16 } as const;

describe("compareAttention()", () => {
  it("compareAttention() in training: flash and chunked-recompute hold less than naive, every variant matches naive", async () => {
    const traces: string[] = [];
    const progress: string[] = [];
    const rows = await compareAttention({
      config,
      seqs: [128],
      backend: "cpu",
      onProgress: (m) => progress.push(m),
      onTrace: (row, trace) => traces.push(serializeTrace(trace)),
    });
    expect(rows.map((r) => r.variant)).toEqual(["naive", "chunked", "chunked-recompute", "flash"]);
    expect(progress).toHaveLength(4);
    const by = Object.fromEntries(rows.map((r) => [r.variant, r]));
    for (const r of rows) {
      expect(r.maxGradDiff).toBeLessThan(1e-4);
      expect(r.peak.logical).toBeGreaterThanOrEqual(r.peak.physical);
      expect(r.peak.backend).toBeGreaterThanOrEqual(r.peak.physical);
      expect(r.mode).toBe("train");
    }
    expect(by.naive.maxGradDiff).toBe(0);
    expect(by.flash.peak.physical).toBeLessThan(by.naive.peak.physical);
    expect(by["chunked-recompute"].peak.physical).toBeLessThan(by.naive.peak.physical);
    expect(by.flash.attentionExtraBytes).toBeLessThan(by.naive.attentionExtraBytes / 2);
    for (const t of traces) expect(parseTrace(t).meta.source).toBe("tfjs");
    expect(tf.getBackend()).not.toBe(undefined);
  });

  it("compareAttention() in forward mode compares logits and runs naive as the reference even when not asked for", async () => {
    const rows = await compareAttention({ config: { ...config, mode: "forward" }, seqs: [32], variants: ["flash"], backend: "cpu" });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ variant: "flash", seq: 32, mode: "forward" });
    expect(rows[0].maxGradDiff).toBeLessThan(1e-4);
  });
});
