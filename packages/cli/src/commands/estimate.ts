import { Command, InvalidArgumentError } from "commander";
import { setupSubtitle } from "../setupSubtitle.js";
import {
  estimate, fits, gpuTiers, maxBatch, modelStatesFromParams, overhead as overheadTerm, suggest,
  type Estimate, type Gpu, type ModelSpec, type OverheadDefaults, type Suggestion, type TrainingSetup,
} from "@hbmscope/model";
import { CliError } from "../cliError.js";
import { formatBytes } from "@hbmscope/core";
import type { Io } from "../io.js";
import { addSetupOptions, modelFromFlag, setupFlagNames, setupFromFlags, type SetupFlags } from "../setupOptions.js";
import { table } from "../table.js";
import { breakdownChart } from "@hbmscope/viz";
import { breakdownScenario } from "../breakdownScenario.js";
import { writeOutput } from "../writeOutput.js";
import { addReserveOptions, gpuFromFlag, reserveFromFlags, type ReserveFlags } from "../gpuOptions.js";
import { OOM_EXIT_CODE } from "./replay.js";
import { setupNotes } from "../setupNotes.js";
import { checkOutputs } from "../checkOutputs.js";
import { pipelineRuns, type PipelineRun } from "../pipelineFlags.js";
import { pipelineEstimates, renderStages } from "./pipelineEstimates.js";

interface EstimateFlags extends SetupFlags, ReserveFlags {
  model?: string;
  params?: number;
  trainableParams?: number;
  gpu?: string;
  json?: boolean;
  svg?: string;
}

/** Parameter counts up to 1e14 (100 trillion): bytes of the model states then stay below 2^53. */
function countArg(flag: string) {
  const parse = (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 1 || n > 1e14) throw new InvalidArgumentError(`${flag} takes a number from 1 to 1e14 (4e9, 7000000000), got ${JSON.stringify(value)}`);
    return Math.round(n);
  };
  return Object.assign(parse, { range: [1, 1e14] as const });
}

/** Flags that reproduce a suggestion's changes (`--method lora --checkpointing full`). */
export function suggestionFlags(s: Pick<Suggestion, "changes">): string {
  return s.changes
    .map((c) => (c.field === "sp" ? (c.to ? "--sp" : "") : `${setupFlagNames[c.field] ?? c.field} ${Array.isArray(c.to) ? c.to.join(",") : String(c.to)}`))
    .filter(Boolean)
    .join(" ");
}


/** What `hbmscope estimate --json` prints for a model (sizes in bytes, per GPU). */
export function estimateReport(model: ModelSpec, setup: TrainingSetup, gpu: Gpu | undefined, over: Partial<OverheadDefaults>, pipeline: PipelineRun[] = []) {
  const { e, schedules } = pipelineEstimates(model, setup, over, pipeline);
  const targets = gpu ? [gpu] : gpuTiers;
  const fitMap = Object.fromEntries(targets.map((g) => [g.name, fits(e, g).fits]));
  const batchMap = Object.fromEntries(targets.map((g) => [g.name, maxBatch(model, setup, g, { overhead: over })]));
  const suggestions = gpu && !fitMap[gpu.name] ? suggest(model, setup, gpu, { overhead: over }) : [];
  return {
    estimate: e,
    json: {
      model: e.model,
      setup,
      gpu: gpu ?? null,
      params: e.params,
      trainableParams: e.trainableParams,
      paramsPerGpu: e.paramsPerGpu,
      stage: e.stage,
      weights: e.weights.bytes,
      gradients: e.gradients.bytes,
      optimizer: e.optimizer.bytes,
      activations: e.activations.bytes,
      activationsBreakdown: {
        attention: e.activations.attention.bytes, mlp: e.activations.mlp.bytes, norms: e.activations.norms.bytes,
        embeddings: e.activations.embeddings.bytes, logits: e.activations.logits.bytes,
      },
      activationsPerLayer: e.activations.perLayer.bytes,
      temporaries: { forward: e.temporaries.forward.bytes, backward: e.temporaries.backward.bytes, optimizer: e.temporaries.optimizer.bytes },
      overhead: e.overhead.bytes,
      overheadItems: e.overhead.items,
      peak: e.peak,
      peakPhase: e.peakPhase,
      phases: e.phases,
      total: e.total,
      fits: gpu ? fitMap[gpu.name] : fitMap,
      maxBatch: gpu ? batchMap[gpu.name] : batchMap,
      suggestions: suggestions.map((s) => ({ label: s.label, flags: suggestionFlags(s), changes: s.changes, total: s.total, cost: s.cost })),
      formulas: {
        weights: e.weights, gradients: e.gradients, optimizer: e.optimizer,
        attention: e.activations.attention, mlp: e.activations.mlp, norms: e.activations.norms,
        embeddings: e.activations.embeddings, logits: e.activations.logits, perLayer: e.activations.perLayer,
        overhead: { bytes: e.overhead.bytes, formula: e.overhead.formula, source: e.overhead.source },
      },
      ...(e.stages ? { schedule: pipeline[0]?.schedule ?? "1f1b", microbatches: pipeline[0]?.microbatches ?? setup.pp, stages: e.stages } : {}),
      ...(schedules.length > 1 ? { schedules } : {}),
      notes: e.notes,
    },
  };
}

function describeSetup(s: TrainingSetup): string {
  const method = s.method === "full" ? "full fine-tuning" : `${s.method} r=${s.loraRank} (${s.loraTargets.join(", ")})`;
  const parallel = [s.dp > 1 ? `dp ${s.dp}${s.zero ? ` ZeRO-${s.zero}` : ""}` : "", s.tp > 1 ? `tp ${s.tp}${s.sp ? "+sp" : ""}` : "", s.pp > 1 ? `pp ${s.pp}` : ""].filter(Boolean).join(", ") || "1 GPU";
  return `${method} · ${s.precision} ${s.dtype} · ${s.optimizer} · batch ${s.batch} × seq ${s.seq} · checkpointing ${s.checkpointing} · attention ${s.attention} · ${parallel}`;
}

function renderEstimate(r: ReturnType<typeof estimateReport>, gpu: Gpu | undefined): string {
  const e: Estimate = r.estimate;
  const j = r.json;
  const share = (b: number) => `${((100 * b) / e.total).toFixed(1)}%`;
  const p = e.peak;
  const a = e.activations;
  const rows: (string | number)[][] = [
    ["per GPU", "size", "at peak", "share of total"],
    ["weights", formatBytes(e.weights.bytes), formatBytes(p.weights), share(p.weights)],
    ["gradients", formatBytes(e.gradients.bytes), formatBytes(p.gradients), share(p.gradients)],
    ["optimizer", formatBytes(e.optimizer.bytes), formatBytes(p.optimizer), share(p.optimizer)],
    ["activations", formatBytes(a.bytes), formatBytes(p.activations), share(p.activations)],
    ...(
      [["  attention", a.attention], ["  mlp", a.mlp], ["  norms", a.norms], ["  checkpoints (layer inputs)", a.checkpoints], ["  embeddings", a.embeddings], ["  logits + loss", a.logits]] as const
    ).filter(([, t]) => t.bytes > 0).map(([n, t]) => [n, formatBytes(t.bytes), "", ""]),
    [`  per layer (x${a.layers}${a.microbatches > 1 ? `, x${a.microbatches} microbatches` : ""})`, formatBytes(a.perLayer.bytes), "", ""],
    ["temporary", "", formatBytes(p.temporary), share(p.temporary)],
    ["overhead", formatBytes(e.overhead.bytes), formatBytes(e.overhead.bytes), share(e.overhead.bytes)],
    ["total (peak + overhead)", "", formatBytes(e.total), "100.0%"],
  ];
  const how = (
    [["weights", e.weights], ["gradients", e.gradients], ["optimizer", e.optimizer], ["attention", a.attention], ["mlp", a.mlp], ["norms", a.norms],
      ["checkpoints", a.checkpoints], ["logits", a.logits], ["temporary", e.temporaries[e.peakPhase]], ["overhead", e.overhead]] as const
  ).filter(([, t]) => t.bytes > 0).map(([n, t]) => `  ${n}: ${t.formula}  [${t.source}]`);
  const lines = [
    `${e.model}: ${describeSetup(e.setup)}`,
    `params ${e.params.toLocaleString("en-US")}, trainable ${e.trainableParams.toLocaleString("en-US")}${e.stage !== "only" ? ` (pipeline ${e.stage} stage)` : ""}`,
    "",
    table(rows),
    `peak: ${e.peakPhase} (${e.peak.at}); total ${formatBytes(e.total)}`,
    `phases (without overhead): ${e.phases.map((ph) => `${ph.phase} ${formatBytes(ph.bytes)}`).join(", ")}`,
    "",
    "formulas (@hbmscope/model/docs/estimator.md):",
    ...how,
    "",
  ];
  if (gpu) {
    const f = fits(e, gpu);
    lines.push(
      f.fits
        ? `fits on ${gpu.name} (${formatBytes(gpu.bytes)}): yes, ${formatBytes(f.headroom)} free; largest batch: ${j.maxBatch}`
        : `fits on ${gpu.name} (${formatBytes(gpu.bytes)}): no, needs ${formatBytes(e.total)} (${formatBytes(-f.headroom)} over)`,
    );
    if (!f.fits) {
      if (j.suggestions.length === 0) lines.push("no single-GPU change tried makes it fit: add GPUs (--dp with --zero 3, --tp, --pp)");
      else {
        lines.push("", `changes that fit on ${gpu.name}, cheapest first:`);
        lines.push(table([["change", "total", "flags"], ...j.suggestions.map((s) => [s.label, formatBytes(s.total), s.flags])]));
      }
    }
  } else {
    const fm = j.fits as Record<string, boolean>;
    const bm = j.maxBatch as Record<string, number>;
    lines.push("", "fits on each tier:", table([["GPU", "fits", "largest batch"], ...gpuTiers.map((g) => [g.name, fm[g.name] ? "yes" : "no", bm[g.name] || "-"])]));
  }
  if (e.stages) lines.push("", ...renderStages(r.json.schedules ?? [{ schedule: r.json.schedule!, microbatches: r.json.microbatches!, stages: e.stages }]));
  for (const n of e.notes) lines.push(`note: ${n}`);
  return lines.join("\n") + "\n";
}

function renderParamsOnly(r: ReturnType<typeof paramsReport>): string {
  const j = r;
  const rows = [
    ["per GPU", "size", "formula"],
    ["weights", formatBytes(j.weights), j.formulas.weights.formula],
    ["gradients", formatBytes(j.gradients), j.formulas.gradients.formula],
    ["optimizer", formatBytes(j.optimizer), j.formulas.optimizer.formula],
    ["overhead", formatBytes(j.overhead), j.formulas.overhead.formula],
    ["model states + overhead", formatBytes(j.total), ""],
  ];
  const fm = j.fits as Record<string, boolean>;
  return [
    `${j.params.toLocaleString("en-US")} parameters: ${describeSetup(j.setup)}`,
    "",
    table(rows),
    `activations need the architecture: pass --model <preset|config.json> for them, the peak phase and the largest batch`,
    typeof j.fits === "boolean" ? `model states fit on ${j.gpu!.name}: ${j.fits ? "yes" : "no"}` : `model states fit on: ${Object.keys(fm).filter((k) => fm[k]).join(", ") || "none of the tiers"}`,
  ].join("\n") + "\n";
}

/** `--params N`: model states only. */
export function paramsReport(params: number, trainableParams: number | undefined, setup: TrainingSetup, gpu: Gpu | undefined, over: Partial<OverheadDefaults>) {
  const s = modelStatesFromParams(params, setup, { trainableParams });
  const o = overheadTerm(over);
  const total = s.weights.bytes + s.gradients.bytes + s.optimizer.bytes + o.bytes;
  const targets = gpu ? [gpu] : gpuTiers;
  const fitMap = Object.fromEntries(targets.map((g) => [g.name, total <= g.bytes]));
  return {
    model: null,
    setup,
    gpu: gpu ?? null,
    params,
    trainableParams: s.trainableParams,
    weights: s.weights.bytes,
    gradients: s.gradients.bytes,
    optimizer: s.optimizer.bytes,
    activations: null,
    activationsPerLayer: null,
    overhead: o.bytes,
    total,
    peakPhase: null,
    fits: gpu ? fitMap[gpu.name] : fitMap,
    maxBatch: null,
    suggestions: [],
    formulas: { weights: s.weights, gradients: s.gradients, optimizer: s.optimizer, overhead: { bytes: o.bytes, formula: o.formula, source: o.source } },
    notes: ["activations need the architecture: pass --model <preset|config.json>; total is model states + overhead"],
  };
}

export function registerEstimate(program: Command, io: Io) {
  const cmd = program
    .command("estimate")
    .description("closed-form memory of a training step per GPU: weights, gradients, optimizer, activations, overhead, peak phase, fit and suggestions")
    .option("--model <preset|config.json>", "a preset name (llama-2-7b, gpt2-small, ...) or a Hugging Face config.json")
    .option("--params <n>", "only a parameter count (4e9): model states, no activations", countArg("--params"))
    .option("--trainable-params <n>", "with --params and --method lora/qlora: adapter parameters", countArg("--trainable-params"));
  addSetupOptions(cmd)
    .option("--gpu <gpu|size>", "a card (RTX 4090, A100 40GB, H100, ...), a tier (24GB: its cards) or a size (80GiB, bytes); exit code 3 when it does not fit; default: every tier");
  addReserveOptions(cmd)
    .option("--json", "print one JSON object (sizes in bytes, per GPU)")
    .option("--svg <file.svg>", "write a breakdown chart: this setup and each suggestion, against the GPU tiers")
    .action((opts: EstimateFlags, command: Command) => {
      // Said once the setup is known to be valid, just before the answer.
      const notes = setupNotes(opts, (name) => command.getOptionValueSource(name) === "cli");
      const sayNotes = () => notes.forEach((n) => io.stderr(`note: ${n}\n`));
      if (!opts.model && opts.params === undefined) throw new CliError("estimate needs --model <preset|config.json> or --params <n>", 2);
      if (opts.model && opts.params !== undefined) throw new CliError("estimate takes --model or --params, not both", 2);
      const { toStdout } = checkOutputs(io, [{ flag: "--svg", path: opts.svg }], [opts.model], opts.json);
      const gpu: Gpu | undefined = opts.gpu === undefined ? undefined : gpuFromFlag(opts.gpu, "--gpu");
      const over = reserveFromFlags(opts);
      if (opts.params !== undefined) {
        const setup = setupFromFlags(opts);
        let r: ReturnType<typeof paramsReport>;
        try {
          r = paramsReport(opts.params, opts.trainableParams, setup, gpu, over);
        } catch (e) {
          throw new CliError((e as Error).message.replace(/^modelStatesFromParams: /, "--params: ").replace("give trainableParams", "give --trainable-params"), 2);
        }
        sayNotes();
        io.stdout(opts.json ? JSON.stringify({ ...r, notes: [...r.notes, ...notes] }) + "\n" : renderParamsOnly(r));
        if (r.fits === false) throw doesNotFit(r.total, gpu!);
        return;
      }
      const model = modelFromFlag(opts.model!, io.cwd);
      const setup = setupFromFlags(opts, model);
      const r = estimateReport(model, setup, gpu, over, setup.pp > 1 ? pipelineRuns(opts) : []);
      if (opts.svg) {
        const scenarios = [breakdownScenario("this setup", r.estimate)];
        const suggestions = r.json.suggestions.length > 0 ? suggest(model, setup, gpu!, { overhead: over }) : [];
        for (const s of suggestions) scenarios.push(breakdownScenario(s.label, estimate(model, s.setup, { overhead: over })));
        const subtitle = setupSubtitle(setup, [`estimate (${setup.implementation ?? "default"} implementation)`]);
        const fig = breakdownChart(scenarios, { title: `${model.name}: memory per GPU at the peak`, subtitle, tiers: gpu ? [gpu] : gpuTiers });
        writeOutput(opts.svg, fig.svg, io, "--svg");
      }
      sayNotes();
      // The estimator's own notes (say, hf falling back to fused) first, then those about the flags.
      (toStdout ? io.stderr : io.stdout)(opts.json ? JSON.stringify({ ...r.json, notes: [...r.json.notes, ...notes] }) + "\n" : renderEstimate(r, gpu));
      if (r.json.fits === false) throw doesNotFit(r.estimate.total, gpu!);
    });
}

/** Exit code 3 (as replay and simulate on out of memory), after the report is printed. */
function doesNotFit(total: number, gpu: Gpu): CliError {
  return new CliError(`does not fit: needs ${formatBytes(total)} on ${gpu.name} (${formatBytes(gpu.bytes)})`, OOM_EXIT_CODE);
}
