import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { describe, expect, it } from "vitest";
import { traceTfjs, transformerStep } from "../src/index.js";

const tiny = { vocab: 32, hidden: 16, heads: 2, layers: 2, seq: 16, batch: 2, blockSize: 8 } as const;

describe("transformerStep()", () => {
  it("transformerStep() starts near ln(vocab) and gives the same loss and gradients on cpu and wasm", async () => {
    const out: Record<string, ReturnType<ReturnType<typeof transformerStep>["run"]>> = {};
    for (const backend of ["cpu", "wasm"]) {
      await tf.setBackend(backend);
      // Same embedding on both (cpu would use gather by default).
      out[backend] = transformerStep({ ...tiny, embedding: "onehot" }).run(undefined, { readGrads: true });
    }
    expect(Math.abs(out.cpu.loss - Math.log(32))).toBeLessThan(0.1);
    expect(Math.abs(out.cpu.loss - out.wasm.loss)).toBeLessThan(1e-5);
    out.cpu.grads!.forEach((g, i) => {
      const w = out.wasm.grads![i].values;
      g.values.forEach((x, j) => expect(Math.abs(x - w[j])).toBeLessThan(1e-5));
    });
  });

  it("transformerStep() gather and one-hot embeddings agree (cpu)", async () => {
    await tf.setBackend("cpu");
    const a = transformerStep({ ...tiny, embedding: "gather" }).run(undefined, { readGrads: true });
    const b = transformerStep({ ...tiny, embedding: "onehot" }).run(undefined, { readGrads: true });
    expect(a.loss).toBeCloseTo(b.loss, 6);
    expect(a.grads![0].name).toBe("wte");
    a.grads![0].values.forEach((x, j) => expect(Math.abs(x - b.grads![0].values[j])).toBeLessThan(1e-6));
  });

  it("transformerStep() counts parameters and frees every tensor, in every mode and optimizer", async () => {
    await tf.setBackend("wasm");
    const before = tf.memory().numTensors;
    const run = transformerStep(tiny).run();
    // wte, wpe, 2 x (2 norms with beta, wqkv, wo, w1, w2), final norm, head.
    const h = 16, f = 64, v = 32, s = 16;
    expect(run.parameters).toBe(v * h + s * h + 2 * (4 * h + 3 * h * h + h * h + 2 * h * f) + 2 * h + h * v);
    for (const extra of [{ optimizer: "adam" }, { mode: "forward" }, { norm: "rmsnorm" }] as const) {
      const r = transformerStep({ ...tiny, ...extra }).run(undefined, { readLogits: true });
      expect(Number.isFinite(r.loss)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(tf.engine().registeredVariables)).toEqual([]);
  });

  it("transformerStep() with tf.train.adam holds more at once in the optimizer phase than the per-variable AdamW", async () => {
    await tf.setBackend("cpu");
    const optimizerPeak = async (optimizer: "adam" | "adamw") => {
      const { trace } = await traceTfjs((ctx) => transformerStep({ ...tiny, optimizer }).run(ctx));
      const { timeline } = await import("@hbmscope/core");
      return timeline(trace).phasePeaks.find((p) => p.phase === "optimizer")!.bytes;
    };
    expect(await optimizerPeak("adam")).toBeGreaterThan(await optimizerPeak("adamw"));
  });

  it("transformerStep() frees everything when a step throws", async () => {
    await tf.setBackend("cpu");
    const before = tf.memory().numTensors;
    const step = transformerStep(tiny);
    expect(() =>
      step.run({
        phase(name) {
          if (name === "optimizer") throw new Error("stop here");
        },
      }),
    ).toThrow("stop here");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("transformerStep() names the option in errors", () => {
    expect(() => transformerStep({ hidden: 64, heads: 3 })).toThrow("transformerStep: heads (3) must divide transformerStep: hidden (64)");
    expect(() => transformerStep({ seq: 0 })).toThrow("transformerStep: seq must be an integer >= 1, got 0");
    expect(() => transformerStep({ attention: "sparse" as never })).toThrow('transformerStep: attention: unknown value "sparse"; accepted: naive, chunked, chunked-recompute, flash');
  });
});
