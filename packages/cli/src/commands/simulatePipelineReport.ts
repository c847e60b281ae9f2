import { formatBytes, replay, serializeTrace } from "@hbmscope/core";
import { simulatePipeline, type ModelSpec, type PipelineSimulation, type TrainingSetup } from "@hbmscope/model";
import { CliError } from "../cliError.js";
import { ALLOCATORS } from "../allocators.js";
import type { DeviceCapacity } from "../gpuOptions.js";
import type { PipelineRun } from "../pipelineFlags.js";
import { table } from "../table.js";

/**
 * What `hbmscope simulate --pp N --json` prints: per schedule asked for, every stage's peak (live
 * bytes, physical view, before allocator overhead), its phase, the microbatch and model chunk
 * running then, op and scope, and the allocator's reserved peak. One schedule: `stages` at the top
 * level; `--schedules a,b`: `schedules: [{ schedule, stages }]`. Sizes in bytes, per GPU.
 */
export function simulatePipelineReport(model: ModelSpec, setup: TrainingSetup, runs: PipelineRun[], allocator: string, device?: DeviceCapacity) {
  const sims: PipelineSimulation[] = [];
  for (const run of runs) {
    try {
      sims.push(simulatePipeline(model, setup, run));
    } catch (e) {
      throw new CliError(flagMessage((e as Error).message), 2);
    }
  }
  const make = ALLOCATORS[allocator];
  const oom: { schedule: string; stage: number; message: string }[] = [];
  const schedules = sims.map((sim) => ({
    schedule: sim.schedule,
    pp: sim.pp,
    microbatches: sim.microbatches,
    virtualStages: sim.virtualStages,
    stages: sim.stages.map((s) => {
      const run = replay(s.trace, make(s.trace), { capacity: device?.gpu.bytes, outside: device?.reserve, view: "physical" });
      if (run.oom) oom.push({ schedule: sim.schedule, stage: s.stage, message: `stage ${s.stage} (${sim.schedule}): ${run.oom.message}` });
      return {
        stage: s.stage,
        layers: s.layers,
        peakBytes: s.peakBytes,
        peakPhase: s.peakPhase,
        peakMicrobatch: s.peakMicrobatch,
        peakChunk: s.peakChunk,
        peakOp: s.peakOp,
        peakScope: s.peakScope,
        reservedPeak: run.peaks.reserved.bytes,
        events: s.trace.events.length,
        oom: run.oom !== null,
      };
    }),
  }));
  const base = { model: model.name, semantics: "eager", mode: "train", allocator, pp: setup.pp, device: device ?? null };
  const json = schedules.length === 1 ? { ...base, ...schedules[0] } : { ...base, schedules };
  return { sims, json, schedules, oom };
}

/** `trace.json` → `trace.stage0.json` (`trace.1f1b.stage0.json` with several schedules). */
export function stageTracePath(out: string, stage: number, schedule?: string): string {
  const m = /^(.*?)(\.json)?$/.exec(out)!;
  return `${m[1]}${schedule ? `.${schedule}` : ""}.stage${stage}${m[2] ?? ".json"}`;
}

/** The per-stage trace files of `--out` with `--pp > 1`: path and contents. */
export function stageTraceFiles(out: string, sims: PipelineSimulation[]): { path: string; text: string }[] {
  return sims.flatMap((sim) => sim.stages.map((s) => ({ path: stageTracePath(out, s.stage, sims.length > 1 ? sim.schedule : undefined), text: serializeTrace(s.trace) })));
}

export function renderPipeline(r: ReturnType<typeof simulatePipelineReport>, written: string[]): string {
  const lines: string[] = [];
  for (const s of r.schedules) {
    lines.push(`${r.json.model}: simulated ${s.schedule} pipeline step, ${s.pp} stages, ${s.microbatches} microbatches${s.virtualStages > 1 ? `, ${s.virtualStages} virtual stages per GPU` : ""} (eager semantics, fused kernels)`);
    lines.push(
      table([
        ["stage", "layers", "peak", "reserved", "phase", "microbatch", "op"],
        ...s.stages.map((x) => [
          x.stage,
          x.layers.map(([a, b]) => `${a}-${b - 1}`).join(", "),
          formatBytes(x.peakBytes),
          formatBytes(x.reservedPeak),
          x.peakPhase || "-",
          x.peakMicrobatch < 0 ? "-" : s.virtualStages > 1 ? `${x.peakMicrobatch} (chunk ${x.peakChunk})` : String(x.peakMicrobatch),
          x.peakOp || "-",
        ]),
      ]),
    );
  }
  if (written.length > 0) lines.push(`traces written: ${written.join(", ")}`);
  return lines.join("\n") + "\n";
}

/** "pipelineSchedule: microbatches ..." → "--microbatches ...": the flag the user typed. */
function flagMessage(message: string): string {
  return message
    .replace(/^(pipelineSchedule|simulatePipeline|stageLayers|simulateStep): /, "simulate: ")
    .replace(/\bvirtualStages\b/g, "--virtual-stages")
    .replace(/\bmicrobatches \(/g, "--microbatches (");
}
