import { timeline, type Trace, type View } from "@hbmscope/core";
import { ATTENTION_VARIANTS, type AttentionVariant } from "./attention/attention.js";
import type { BackendName } from "./backendNames.js";
import { profileStep } from "./profileStep.js";
import type { StepConfig } from "./stepConfig.js";
import type { StepOutput } from "./transformerStep.js";

export interface CompareAttentionOptions {
  /** The model and step; `seq` and `attention` are set per row. @defaultValue the `transformerStep` defaults */
  config?: Partial<StepConfig>;
  /** Sequence lengths. @defaultValue `[256, 512, 1024]` */
  seqs?: number[];
  /** @defaultValue every variant */
  variants?: readonly AttentionVariant[];
  /** @defaultValue `"wasm"` */
  backend?: BackendName;
  /** Called before each run with a line saying what runs next. */
  onProgress?: (message: string) => void;
  /** Called with each row's trace (to write it, say) before the next run. */
  onTrace?: (row: AttentionRow, trace: Trace) => void;
  /** Names options in errors. */
  name?: (option: string) => string;
}

/** One variant at one sequence length. Sizes in bytes, times in milliseconds. */
export interface AttentionRow {
  variant: AttentionVariant;
  seq: number;
  mode: "train" | "forward";
  /** Peak live bytes per view. */
  peak: Record<View, number>;
  /**
   * Highest live bytes (physical view) held by buffers the attention core allocated, forward and
   * backward (scope `.../sdpa`): what the variant itself adds on top of its q, k, v inputs.
   */
  attentionExtraBytes: number;
  /** Wall time of the traced step. */
  stepMs: number;
  /** Max absolute difference vs `naive` of the loss and every gradient (train), or of the logits (forward). */
  maxGradDiff: number;
}

/** Highest live bytes of physical buffers whose scope contains an `sdpa` segment. */
export function attentionBytes(trace: Trace): number {
  const inAttention = trace.buffers.map((b) => b.view !== "logical" && !b.kernelTemp && /(^|\/)sdpa(\/|$)/.test(b.scope ?? ""));
  let live = 0;
  let peak = 0;
  for (const e of trace.events) {
    if (!inAttention[e.buffer]) continue;
    live += e.kind === "alloc" ? trace.buffers[e.buffer].bytes : -trace.buffers[e.buffer].bytes;
    if (live > peak) peak = live;
  }
  return peak;
}

function maxAbsDiff(a: StepOutput, b: StepOutput): number {
  let d = Math.abs(a.loss - b.loss);
  const pairs: [ArrayLike<number>, ArrayLike<number>][] = [];
  if (a.logits && b.logits) pairs.push([a.logits, b.logits]);
  if (a.grads && b.grads) a.grads.forEach((g, i) => pairs.push([g.values, b.grads![i].values]));
  for (const [x, y] of pairs) for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

/**
 * Runs every attention variant over `seqs` on the same model, inputs and weights, traces each
 * step, and compares memory, time, and results against `naive` (which always runs first, traced
 * only when it is among `variants`).
 */
export async function compareAttention(options: CompareAttentionOptions = {}): Promise<AttentionRow[]> {
  const seqs = options.seqs ?? [256, 512, 1024];
  const variants = options.variants ?? ATTENTION_VARIANTS;
  const mode = options.config?.mode ?? "train";
  const read = mode === "train" ? { readGrads: true } : { readLogits: true };
  const rows: AttentionRow[] = [];
  for (const seq of seqs) {
    let reference: StepOutput | null = null;
    const order = variants.includes("naive") ? ["naive", ...variants.filter((v) => v !== "naive")] : ["naive", ...variants];
    for (const variant of order as AttentionVariant[]) {
      options.onProgress?.(`${variant} at seq ${seq} (${mode})`);
      const p = await profileStep({ ...options.config, seq, attention: variant, mode }, { ...read, backend: options.backend, name: options.name });
      if (variant === "naive") reference = p.output;
      if (!variants.includes(variant)) continue;
      const row: AttentionRow = {
        variant,
        seq,
        mode,
        peak: {
          logical: timeline(p.trace, { view: "logical" }).peak.bytes,
          physical: timeline(p.trace, { view: "physical" }).peak.bytes,
          backend: timeline(p.trace, { view: "backend" }).peak.bytes,
        },
        attentionExtraBytes: attentionBytes(p.trace),
        stepMs: Math.round(p.ms * 10) / 10,
        maxGradDiff: maxAbsDiff(p.output, reference!),
      };
      rows.push(row);
      options.onTrace?.(row, p.trace);
    }
  }
  return rows;
}
