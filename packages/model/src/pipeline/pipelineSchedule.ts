/** A pipeline schedule: `gpipe`, `1f1b` or `interleaved` (interleaved 1F1B with virtual stages). */
export type PipelineScheduleName = "gpipe" | "1f1b" | "interleaved";

export const PIPELINE_SCHEDULES: readonly PipelineScheduleName[] = ["gpipe", "1f1b", "interleaved"];

/** One step of a stage's schedule: the forward or backward pass of `microbatch` through model chunk `chunk`. */
export interface PipelineStep {
  microbatch: number;
  pass: "forward" | "backward";
  /** Virtual stage (model chunk) on this GPU, 0-based; always 0 except for `interleaved`. */
  chunk: number;
}

export interface PipelineScheduleOptions {
  schedule: PipelineScheduleName;
  /** Pipeline stages (GPUs). */
  pp: number;
  /** Microbatches per training step. */
  microbatches: number;
  /** Model chunks per GPU (interleaved only). @defaultValue 1 (2 is typical for interleaved) */
  virtualStages?: number;
}

/**
 * The ordered forward and backward passes each stage runs in one training step (index = stage).
 * - `gpipe`: every forward, then every backward, in microbatch order (Huang et al. 2019; PyTorch
 *   `torch.distributed.pipelining.ScheduleGPipe`).
 * - `1f1b`: stage i runs min(pp - i - 1, M) warm-up forwards, then alternates one forward and one
 *   backward, then the remaining backwards (Narayanan et al. 2021, PipeDream-Flush; Megatron-LM
 *   `forward_backward_pipelining_without_interleaving`).
 * - `interleaved`: V chunks per GPU; Megatron-LM `forward_backward_pipelining_with_interleaving`
 *   (megatron/core/pipeline_parallel/schedules.py, core v0.7): (pp - i - 1)·2 + (V - 1)·pp warm-up
 *   chunk-forwards, capped at M·V (all of them when M = pp), then one forward one backward; forward k
 *   runs chunk ⌊(k mod pp·V) / pp⌋ on microbatch ⌊k / pp·V⌋·pp + k mod pp, backward k the chunk
 *   V - 1 - that. M must be a multiple of pp (Megatron-LM asserts it).
 */
export function pipelineSchedule(options: PipelineScheduleOptions): PipelineStep[][] {
  const { schedule, pp, microbatches: M } = options;
  const V = options.virtualStages ?? 1;
  const fail = (msg: string): never => {
    throw new Error(`pipelineSchedule: ${msg}`);
  };
  if (!PIPELINE_SCHEDULES.includes(schedule)) fail(`unknown schedule ${JSON.stringify(schedule)}; accepted: ${PIPELINE_SCHEDULES.join(", ")}`);
  if (!Number.isSafeInteger(pp) || pp < 1) fail(`pp must be a positive integer, got ${String(pp)}`);
  if (!Number.isSafeInteger(M) || M < 1) fail(`microbatches must be a positive integer, got ${String(M)}`);
  if (!Number.isSafeInteger(V) || V < 1) fail(`virtualStages must be a positive integer, got ${String(V)}`);
  if (schedule !== "interleaved" && V !== 1) fail(`virtualStages ${V} needs schedule interleaved (got ${schedule})`);
  if (schedule === "interleaved" && M % pp !== 0) fail(`interleaved needs microbatches (${M}) to be a multiple of pp (${pp}), as Megatron-LM asserts`);
  const stages: PipelineStep[][] = [];
  for (let i = 0; i < pp; i++) {
    const steps: PipelineStep[] = [];
    const F = (microbatch: number, chunk = 0) => steps.push({ microbatch, pass: "forward", chunk });
    const B = (microbatch: number, chunk = 0) => steps.push({ microbatch, pass: "backward", chunk });
    if (schedule === "gpipe") {
      for (let m = 0; m < M; m++) F(m);
      for (let m = 0; m < M; m++) B(m);
    } else if (schedule === "1f1b") {
      const warmup = Math.min(pp - i - 1, M);
      for (let m = 0; m < warmup; m++) F(m);
      for (let k = 0; k < M - warmup; k++) {
        F(warmup + k);
        B(k);
      }
      for (let m = M - warmup; m < M; m++) B(m);
    } else {
      const total = M * V;
      const group = pp * V;
      const chunkOf = (k: number, forward: boolean) => {
        const c = Math.floor((k % group) / pp);
        return forward ? c : V - 1 - c;
      };
      const microbatchOf = (k: number) => Math.floor(k / group) * pp + (k % pp);
      const warmup = M === pp ? total : Math.min((pp - i - 1) * 2 + (V - 1) * pp, total);
      for (let k = 0; k < warmup; k++) F(microbatchOf(k), chunkOf(k, true));
      for (let k = 0; k < total - warmup; k++) {
        F(microbatchOf(warmup + k), chunkOf(warmup + k, true));
        B(microbatchOf(k), chunkOf(k, false));
      }
      for (let k = total - warmup; k < total; k++) B(microbatchOf(k), chunkOf(k, false));
    }
    stages.push(steps);
  }
  return stages;
}
