import type { PipelineScheduleName } from "@hbmscope/model";
import type { SetupFlags } from "./setupOptions.js";

/** The pipeline runs `--schedule` / `--schedules`, `--microbatches` and `--virtual-stages` ask for (defaults: 1f1b, pp, 2 when interleaved). */
export interface PipelineRun {
  schedule: PipelineScheduleName;
  microbatches: number;
  virtualStages: number;
}

/** One run per schedule asked for (`--schedules` wins over `--schedule`). */
export function pipelineRuns(flags: SetupFlags): PipelineRun[] {
  const pp = flags.pp ?? 1;
  const schedules = flags.schedules ?? [flags.schedule ?? "1f1b"];
  return schedules.map((schedule) => ({
    schedule,
    microbatches: flags.microbatches ?? pp,
    virtualStages: schedule === "interleaved" ? (flags.virtualStages ?? 2) : 1,
  }));
}
