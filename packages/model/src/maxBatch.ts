import { estimate, type EstimateOptions } from "./estimate.js";
import { gpu as toGpu, type Gpu } from "./gpus.js";
import type { ModelSpec, TrainingSetup } from "./modelSpec.js";

/**
 * The largest micro-batch (sequences per GPU) whose estimate fits the GPU, 0 when even one does
 * not. Memory grows with batch, so a doubling search then bisection finds it in O(log batch) estimates.
 *
 * @param limit - largest batch tried @defaultValue 65536
 */
export function maxBatch(model: ModelSpec, setup: TrainingSetup, gpu: Gpu | string | number, options: EstimateOptions & { limit?: number } = {}): number {
  const capacity = toGpu(gpu).bytes;
  const limit = options.limit ?? 65536;
  const ok = (batch: number) => estimate(model, { ...setup, batch }, options).total <= capacity;
  if (!ok(1)) return 0;
  let lo = 1;
  let hi = 2;
  while (hi <= limit && ok(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi > limit) {
    if (ok(limit)) return limit;
    hi = limit;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
