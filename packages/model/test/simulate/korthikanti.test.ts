import { describe, expect, it } from "vitest";
import { timeline, type Trace } from "@hbmscope/core";
import { simulateStep } from "../../src/index.js";
import { gpt3, modelWith, setupWith } from "./fixtures.js";

/** These laws are about the fused profile, which the closed-form estimator models (DESIGN.md: the `hf` profile is checked against recorded runs). */
const fused = <T extends object>(setup: T): T => ({ ...setup, implementation: "fused" });

const MiB = 2 ** 20;
// Korthikanti et al. 2022, Table 2 (../shared/reference/vectors.json, "korthikanti-gpt3-layer").
const s = 2048, b = 1, h = 12288, a = 96, t = 8;
const sbh = s * b * h;
const oneLayer = modelWith(gpt3, { layers: 1 });

/** Live bytes per buffer at the end of forward, split into layer-0 activations and the rest. */
function savedAtEndOfForward(trace: Trace, layer = 0) {
  const backward = trace.marks.find((m) => m.label === "backward")!.at;
  const live = new Set<number>();
  for (let i = 0; i < backward; i++) {
    const e = trace.events[i];
    if (e.kind === "alloc") live.add(e.buffer);
    else live.delete(e.buffer);
  }
  const inLayer = [...live].map((id) => trace.buffers[id]).filter((x) => x.category === "activation" && x.scope?.startsWith(`layer${layer}/`));
  const stats = inLayer.filter((x) => x.dtype === "float32" && /norm/.test(x.op ?? ""));
  const total = inLayer.reduce((acc, x) => acc + x.bytes, 0);
  const statBytes = stats.reduce((acc, x) => acc + x.bytes, 0);
  return { total, statBytes, korthikanti: total - statBytes, buffers: inLayer };
}

/** The two fused norms' fp32 statistics of one layer: LayerNorm keeps mean and rstd, [b, s/t] each. */
const normStats = (seqLocal: number) => 2 * 2 * 4 * b * seqLocal;

describe("simulateStep() eager semantics vs Korthikanti et al. 2022", () => {
  const run = (patch: Parameters<typeof setupWith>[0]) =>
    savedAtEndOfForward(simulateStep(oneLayer, fused(setupWith({ batch: b, seq: s, precision: "mixed", ...patch })), { semantics: "eager" }));

  it("simulateStep() saves sbh(34 + 5as/h) per GPT-3 layer, plus the norms' fp32 statistics", () => {
    const r = run({});
    expect(r.korthikanti).toBe(sbh * 34 + 5 * a * s * s * b);
    expect(r.statBytes).toBe(normStats(s));
    expect(Math.round(r.korthikanti / MiB)).toBe(2736);
  });

  it("simulateStep() with tensor parallel saves sbh(10 + 24/t + 5as/(ht))", () => {
    const r = run({ tp: t });
    expect(r.korthikanti).toBe(sbh * (10 + 24 / t) + (5 * a * s * s * b) / t);
    expect(Math.round(r.korthikanti / MiB)).toBe(552);
  });

  it("simulateStep() with tensor and sequence parallel saves sbh(34/t + 5as/(ht))", () => {
    const r = run({ tp: t, sp: true });
    expect(r.korthikanti).toBe((sbh * 34) / t + (5 * a * s * s * b) / t);
    expect(r.statBytes).toBe(normStats(s / t));
    expect(Math.round(r.korthikanti / MiB)).toBe(342);
  });

  it("simulateStep() with selective recompute drops the 5as/h term (tp and tp+sp)", () => {
    expect(run({ tp: t, checkpointing: "selective" }).korthikanti).toBe(sbh * (10 + 24 / t));
    expect(Math.round(run({ tp: t, checkpointing: "selective" }).korthikanti / MiB)).toBe(312);
    expect(Math.round(run({ tp: t, sp: true, checkpointing: "selective" }).korthikanti / MiB)).toBe(102);
  });

  it("simulateStep() with full recompute keeps 2sbh per layer: the next layer's input only", () => {
    const trace = simulateStep(modelWith(gpt3, { layers: 2 }), fused(setupWith({ batch: b, seq: s, checkpointing: "full" })), { semantics: "eager" });
    const r = savedAtEndOfForward(trace, 0);
    expect(r.total).toBe(2 * sbh);
    expect(r.buffers.map((x) => x.op)).toEqual(["add"]);
    expect(Math.round(r.total / MiB)).toBe(48);
  });

  it("simulateStep() with flash drops the 5as²b term and saves its output O (the o-projection's input, counted once) and an fp32 log-sum-exp [b, a, s]", () => {
    const r = run({ attention: "flash" });
    const lse = 4 * b * a * s;
    expect(r.korthikanti).toBe(sbh * 34 + lse);
    expect(r.buffers.filter((x) => x.op === "flash_attention").map((x) => x.bytes).sort((p, q) => p - q)).toEqual([lse, 2 * sbh]);
  });

  it("simulateStep() recompute shows up as re-allocation in backward", () => {
    const trace = simulateStep(oneLayer, fused(setupWith({ batch: 1, seq: 256, checkpointing: "full" })), { semantics: "eager" });
    const recomputed = trace.buffers.filter((x) => x.phase === "backward" && / \(recompute\)$/.test(x.op ?? ""));
    expect(recomputed.length).toBeGreaterThan(10);
    expect(timeline(trace).peak.bytes).toBeGreaterThan(0);
  });
});
