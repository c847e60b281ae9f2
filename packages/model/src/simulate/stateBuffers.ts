import type { TrainingSetup } from "../modelSpec.js";
import type { SimDtype } from "./dtype.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import type { SimParam } from "./stepGraph.js";
import { EIGHT_BIT_BLOCK, EIGHT_BIT_MIN_SIZE } from "../quantization.js";

/** One persistent buffer of the model states. */
export interface StateBuffer {
  name: string;
  shape: number[];
  dtype: SimDtype;
  bytes: number;
}

const buffer = (name: string, elements: number, dtype: SimDtype, bytesPerElement: number): StateBuffer => ({
  name,
  shape: [elements],
  dtype,
  bytes: Math.ceil(elements * bytesPerElement),
});

const BYTES: Record<SimDtype, number> = { float32: 4, bfloat16: 2, float16: 2, int64: 8, int32: 4, int8: 1, uint8: 1, bool: 1, nf4: 0.5 };

/** NF4 block size and double-quantisation block size (Dettmers et al. 2023, QLoRA, section 3). */
export const NF4_BLOCK = 64;
export const NF4_DOUBLE_QUANT_BLOCK = 256;

/** Elements of this rank's shard of a tensor over `n` data-parallel ranks (ZeRO partitions flat tensors evenly). */
export function shardElements(elements: number, n: number): number {
  return Math.ceil(elements / n);
}

/**
 * The stored form of a weight on this rank. QLoRA: 4-bit codes, one 8-bit absmax per 64 weights and one
 * fp32 constant per 256 absmax values (double quantisation: 4 + 8/64 + 32/(64*256) = 4.127 bits per
 * parameter, Dettmers et al. 2023). ZeRO-3 keeps 1/dp of every weight.
 */
export function weightBuffers(p: SimParam, dtype: SimDtype, setup: Pick<TrainingSetup, "dp" | "zero">): StateBuffer[] {
  const n = setup.zero === 3 && setup.dp > 1 ? shardElements(p.elements, setup.dp) : p.elements;
  if (p.nf4) {
    const blocks = Math.ceil(n / NF4_BLOCK);
    return [
      buffer(`${p.name} (nf4)`, n, "nf4", 0.5),
      buffer(`${p.name} (absmax, 8-bit)`, blocks, "uint8", 1),
      buffer(`${p.name} (absmax constants, fp32)`, Math.ceil(blocks / NF4_DOUBLE_QUANT_BLOCK), "float32", 4),
    ];
  }
  return [buffer(p.name, n, dtype, BYTES[dtype])];
}

/** Elements of a gradient (or optimizer state) shard on this rank. */
export function gradElements(p: SimParam, setup: Pick<TrainingSetup, "dp" | "zero">): number {
  return setup.zero >= 2 && setup.dp > 1 ? shardElements(p.elements, setup.dp) : p.elements;
}

/**
 * Optimizer state of one trainable weight on this rank, master copy first; each buffer is 1/dp of
 * the whole under ZeRO-1 and above. The rules are the estimator's (`modelStates`), per tensor:
 * - adamw: m and v (Loshchilov & Hutter 2019).
 * - adamw-8bit: 1-byte m and v with one fp32 absmax per 2048-element block; tensors under 4096
 *   elements stay 32-bit (bitsandbytes `Optimizer2State`, `min_8bit_size`; see ../quantization.ts).
 * - sgd: none; sgd-momentum: one momentum buffer; lion: one momentum buffer (Chen et al. 2023).
 * - adafactor: factored second moment (rows and columns of a matrix, the full vector otherwise), no
 *   first moment (Shazeer & Stern 2018; `beta1=None`, the Hugging Face default).
 */
export function optimizerBuffers(p: SimParam, plan: PrecisionPlan, setup: Pick<TrainingSetup, "dp" | "zero" | "optimizer">): StateBuffer[] {
  const sharded = setup.zero >= 1 && setup.dp > 1;
  const part = (elements: number) => (sharded ? shardElements(elements, setup.dp) : elements);
  const n = p.elements;
  const out: StateBuffer[] = [];
  const add = (name: string, elements: number, dtype: SimDtype) => out.push(buffer(`${p.name} (${name})`, part(elements), dtype, BYTES[dtype]));
  if (plan.master) add("fp32 master", n, plan.master);
  const s = p.stateDtype ?? plan.state;
  switch (setup.optimizer) {
    case "adamw":
      add("adam m", n, s);
      add("adam v", n, s);
      break;
    case "adamw-8bit":
      if (n < EIGHT_BIT_MIN_SIZE) {
        add("adam m", n, "float32");
        add("adam v", n, "float32");
      } else {
        const blocks = Math.ceil(n / EIGHT_BIT_BLOCK);
        add("adam m, 8-bit", n, "uint8");
        add("adam v, 8-bit", n, "uint8");
        add("adam m absmax", blocks, "float32");
        add("adam v absmax", blocks, "float32");
      }
      break;
    case "sgd":
      break;
    case "sgd-momentum":
      add("momentum", n, s);
      break;
    case "lion":
      add("lion m", n, s);
      break;
    case "adafactor":
      if (p.matrix.length === 2) {
        add("adafactor row", p.matrix[0], s);
        add("adafactor col", p.matrix[1], s);
      } else add("adafactor v", n, s);
      break;
    default:
      throw new Error(`simulateStep: unknown optimizer ${JSON.stringify(setup.optimizer)}; accepted: adamw, adamw-8bit, sgd, sgd-momentum, adafactor, lion`);
  }
  return out;
}
