import type { Estimate } from "./estimate.js";
import { gpu as toGpu, type Gpu } from "./gpus.js";

export interface Fit {
  fits: boolean;
  gpu: Gpu;
  /** The estimate's total (bytes). */
  needed: number;
  /** gpu bytes - needed: negative when it does not fit (bytes). */
  headroom: number;
  /** needed / gpu bytes. */
  utilisation: number;
}

/**
 * Whether an estimate's total fits a GPU's memory.
 *
 * @param gpu - a Gpu, a catalogue name (`"A100 40GB"`), or a size (`"24GB"`, bytes)
 */
export function fits(estimate: Pick<Estimate, "total">, gpu: Gpu | string | number): Fit {
  const g = toGpu(gpu);
  return { fits: estimate.total <= g.bytes, gpu: g, needed: estimate.total, headroom: g.bytes - estimate.total, utilisation: estimate.total / g.bytes };
}
