import type { PipelineScheduleName } from "./pipelineSchedule.js";

/**
 * Most microbatches whose activations stage `stage` (0-based) holds at once, in units of the whole
 * stage (all its layers): what the estimator multiplies a microbatch's activations by.
 * - `gpipe`: M (every forward runs before the first backward).
 * - `1f1b`: min(pp - stage, M) (Narayanan et al. 2021: the warm-up forwards plus one).
 * - `interleaved`: chunk-microbatches in flight, min((pp - stage - 1)·2 + (V - 1)·pp + 1, M·V) (Megatron-LM
 *   schedules.py warm-up count plus the steady state's forward; M·V when M = pp), divided by V since a
 *   chunk holds 1/V of the stage's layers. On the first stage that is (V·pp + pp - 1) / V = pp·(1 + (pp - 1)/(pp·V)),
 *   Korthikanti et al. 2022 sec. 4.2.3's factor.
 * Checked against `pipelineSchedule` by the tests (the peak count of forwards not yet backwarded).
 */
export function inFlightMicrobatches(schedule: PipelineScheduleName, pp: number, stage: number, microbatches: number, virtualStages = 1): number {
  const M = microbatches;
  if (schedule === "gpipe") return M;
  if (schedule === "1f1b") return Math.min(pp - stage, M);
  const V = virtualStages;
  const total = M * V;
  const chunks = M === pp ? total : Math.min((pp - stage - 1) * 2 + (V - 1) * pp + 1, total);
  return chunks / V;
}
