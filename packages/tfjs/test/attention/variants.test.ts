import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { attentionVariants, naiveAttention, type Attention } from "../../src/index.js";

/** Output and gradients (w.r.t. q, k, v) of sum(attention(q, k, v) * w), as plain arrays. */
function run(attention: Attention, shape: [number, number, number, number], seed: number, causal: boolean, blockSize: number): Float32Array[] {
  return tf.tidy(() => {
    const [q, k, v, w] = [0, 1, 2, 3].map((i) => tf.randomNormal(shape, 0, 1, "float32", seed * 4 + i + 1)) as tf.Tensor4D[];
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(attention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, { causal, blockSize }), w));
    const out = attention(q, k, v, { causal, blockSize });
    const grads = tf.grads(f)([q, k, v]);
    return [out, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => x.forEach((value, j) => (d = Math.max(d, Math.abs(value - b[i][j])))));
  return d;
}

const shapes = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  heads: fc.integer({ min: 1, max: 2 }),
  seq: fc.integer({ min: 1, max: 12 }),
  headDim: fc.constantFrom(2, 4, 8),
  blockSize: fc.integer({ min: 1, max: 7 }),
  causal: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

for (const backend of ["cpu", "wasm"] as const) {
  describe(`attention variants on ${backend}`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });
    for (const [name, attention] of Object.entries(attentionVariants)) {
      if (attention === naiveAttention) continue;
      test.prop([shapes], { numRuns: backend === "cpu" ? 40 : 20 })(
        `${attention.name}() (${name}) equals naiveAttention() in output and gradients within 1e-4 (${backend})`,
        ({ batch, heads, seq, headDim, blockSize, causal, seed }) => {
          const shape: [number, number, number, number] = [batch, heads, seq, headDim];
          const before = tf.memory().numTensors;
          const d = maxDiff(run(attention, shape, seed, causal, blockSize), run(naiveAttention, shape, seed, causal, blockSize));
          expect(d).toBeLessThan(1e-4);
          expect(tf.memory().numTensors).toBe(before);
        },
      );
    }
  });
}
