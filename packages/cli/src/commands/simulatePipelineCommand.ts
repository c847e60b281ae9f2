import type { ModelSpec, TrainingSetup } from "@hbmscope/model";
import { CliError } from "../cliError.js";
import type { DeviceCapacity } from "../gpuOptions.js";
import type { Io } from "../io.js";
import { pipelineRuns } from "../pipelineFlags.js";
import type { SetupFlags } from "../setupOptions.js";
import { writeOutput } from "../writeOutput.js";
import { setupSubtitle } from "../setupSubtitle.js";
import { OOM_EXIT_CODE, capacityText } from "./replay.js";
import { renderPipeline, simulatePipelineReport, stageTraceFiles } from "./simulatePipelineReport.js";
import { pipelineChartSvg } from "./pipelineChartSvg.js";

interface PipelineCommandFlags extends SetupFlags {
  semantics: string;
  mode: string;
  allocator: string;
  out?: string;
  json?: boolean;
  svg?: string;
}

/**
 * `simulate --pp N` (N > 1): every stage of the schedules asked for (`simulatePipeline`), one trace
 * file per stage for `--out` (`trace.stage0.json`, ...; `trace.1f1b.stage0.json` with `--schedules`),
 * the stages stacked on one time axis for `--svg`. Exit code 3 when a stage does not fit `--capacity`.
 */
export function simulatePipelineCommand(io: Io, model: ModelSpec, setup: TrainingSetup, opts: PipelineCommandFlags, notes: string[], device: DeviceCapacity | undefined, toStdout: boolean): void {
  if (opts.semantics !== "eager") throw new CliError(`--pp ${setup.pp} needs --semantics eager: the tfjs step runs on one device`, 2);
  if (opts.mode !== "train") throw new CliError(`--pp ${setup.pp} needs --mode train: a pipeline schedule interleaves forward and backward passes`, 2);
  if (opts.out === "-") throw new CliError(`--out - holds one trace; with --pp ${setup.pp} each stage has its own: name a file (trace.json gives trace.stage0.json, ...)`, 2);
  const r = simulatePipelineReport(model, setup, pipelineRuns(opts), opts.allocator, device);
  for (const n of r.sims[0].notes) if (!notes.includes(n)) notes.push(n);
  const written: string[] = [];
  if (opts.out) for (const f of stageTraceFiles(opts.out, r.sims)) written.push(writeOutput(f.path, f.text, io));
  if (opts.svg) writeOutput(opts.svg, pipelineChartSvg(model, r.sims, device?.usable, setupSubtitle(setup, device ? [`on ${capacityText(device)}`] : [])), io, "--svg");
  for (const n of notes) io.stderr(`note: ${n}\n`);
  (toStdout ? io.stderr : io.stdout)(opts.json ? JSON.stringify({ ...r.json, notes }) + "\n" : renderPipeline(r, written));
  if (r.oom.length > 0) throw new CliError(r.oom.map((o) => o.message).join("; "), OOM_EXIT_CODE);
}
