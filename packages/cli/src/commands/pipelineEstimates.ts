import { formatBytes } from "@hbmscope/core";
import { estimate, type Estimate, type ModelSpec, type OverheadDefaults, type StageEstimate, type TrainingSetup } from "@hbmscope/model";
import { CliError } from "../cliError.js";
import type { PipelineRun } from "../pipelineFlags.js";
import { table } from "../table.js";

/** `estimate` under the first schedule asked for, and every schedule's `stages` when several are (`--schedules`). */
export function pipelineEstimates(model: ModelSpec, setup: TrainingSetup, over: Partial<OverheadDefaults>, runs: PipelineRun[]) {
  const run = (pipeline?: PipelineRun): Estimate => {
    try {
      return estimate(model, setup, { overhead: over, pipeline });
    } catch (e) {
      throw new CliError(
        (e as Error).message.replace(/^(pipelineSchedule|stageLayers): /, "estimate: ").replace(/\bvirtualStages\b/g, "--virtual-stages").replace(/\bmicrobatches \(/g, "--microbatches ("),
        2,
      );
    }
  };
  const e = run(runs[0]);
  const schedules = runs.length > 1 ? runs.map((p, i) => ({ schedule: p.schedule, microbatches: p.microbatches, virtualStages: p.virtualStages, stages: (i === 0 ? e : run(p)).stages! })) : [];
  return { e, schedules };
}

/** One table of stages per schedule: layers, microbatches in flight, peak (before overhead) and where. */
export function renderStages(schedules: { schedule: string; microbatches: number; stages: StageEstimate[] }[]): string[] {
  return schedules.flatMap((s) => [
    `pipeline stages, ${s.schedule}, ${s.microbatches} microbatches (peak live bytes before overhead):`,
    table([
      ["stage", "layers", "in flight", "peak", "phase", "at"],
      ...s.stages.map((x) => [x.stage, x.layers, Number.isInteger(x.inFlightMicrobatches) ? x.inFlightMicrobatches : x.inFlightMicrobatches.toFixed(2), formatBytes(x.peakBytes), x.peakPhase, x.at]),
    ]),
  ]);
}
