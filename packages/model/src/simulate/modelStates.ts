import type { TrainingSetup } from "../modelSpec.js";
import type { SimDtype } from "./dtype.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import type { SimParam } from "./stepGraph.js";

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
  const n = setup.zero === 3 ? shardElements(p.elements, setup.dp) : p.elements;
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
  return setup.zero >= 2 ? shardElements(p.elements, setup.dp) : p.elements;
}

/**
 * Optimizer state of one trainable weight on this rank, master copy first.
 * - adamw: m and v (Loshchilov & Hutter 2019).
 * - adamw-8bit: int8 m and v with one fp32 absmax per 256-element block; tensors under 4096 elements
 *   stay 32-bit (bitsandbytes `Optimizer2State`, `min_8bit_size=4096`, block size 256).
 * - sgd: none; sgd-momentum: one momentum buffer; lion: one momentum buffer (Chen et al. 2023).
 * - adafactor: factored second moment (row and column vectors of a matrix, the full vector otherwise),
 *   no first moment (Shazeer & Stern 2018; `beta1=None`, the Hugging Face default).
 */
export function optimizerBuffers(p: SimParam, plan: PrecisionPlan, setup: Pick<TrainingSetup, "dp" | "zero" | "optimizer">): StateBuffer[] {
  const n = setup.zero >= 1 ? shardElements(p.elements, setup.dp) : p.elements;
  const out: StateBuffer[] = [];
  if (plan.master) out.push(buffer(`${p.name} (fp32 master)`, n, plan.master, BYTES[plan.master]));
  const s = plan.state;
  switch (setup.optimizer) {
    case "adamw":
      out.push(buffer(`${p.name} (adam m)`, n, s, BYTES[s]), buffer(`${p.name} (adam v)`, n, s, BYTES[s]));
      break;
    case "adamw-8bit":
      if (p.elements < 4096) {
        out.push(buffer(`${p.name} (adam m)`, n, "float32", 4), buffer(`${p.name} (adam v)`, n, "float32", 4));
      } else {
        const blocks = Math.ceil(n / 256);
        out.push(
          buffer(`${p.name} (adam m, 8-bit)`, n, "int8", 1),
          buffer(`${p.name} (adam v, 8-bit)`, n, "int8", 1),
          buffer(`${p.name} (adam m absmax)`, blocks, "float32", 4),
          buffer(`${p.name} (adam v absmax)`, blocks, "float32", 4),
        );
      }
      break;
    case "sgd":
      break;
    case "sgd-momentum":
      out.push(buffer(`${p.name} (momentum)`, n, s, BYTES[s]));
      break;
    case "lion":
      out.push(buffer(`${p.name} (lion m)`, n, s, BYTES[s]));
      break;
    case "adafactor":
      if (p.matrix.length === 2 && setup.zero === 0) {
        out.push(buffer(`${p.name} (adafactor row)`, p.matrix[0], s, BYTES[s]), buffer(`${p.name} (adafactor col)`, p.matrix[1], s, BYTES[s]));
      } else {
        out.push(buffer(`${p.name} (adafactor v)`, n, s, BYTES[s]));
      }
      break;
    default:
      throw new Error(`simulateStep: unknown optimizer ${JSON.stringify(setup.optimizer)}; accepted: adamw, adamw-8bit, sgd, sgd-momentum, adafactor, lion`);
  }
  return out;
}
