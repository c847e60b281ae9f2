import { CATEGORIES, serializeTrace, timeline, type Trace } from "@hbmscope/core";
import { simulateStep, type ModelSpec, type SimulateOptions, type TrainingSetup } from "@hbmscope/model";
import { Option, type Command } from "commander";
import { CliError } from "../cliError.js";
import { formatBytes } from "@hbmscope/core";
import type { Io } from "../io.js";
import { addSetupOptions, modelFromFlag, setupFromFlags, type SetupFlags } from "../setupOptions.js";
import { table } from "../table.js";
import { writeOutput } from "../writeOutput.js";
import { setupNotes } from "../setupNotes.js";
import { setupSubtitle } from "../setupSubtitle.js";
import { checkOutputs } from "../checkOutputs.js";
import { ALLOCATORS } from "../allocators.js";
import { OOM_EXIT_CODE, capacityText, replayReport } from "./replay.js";
import { addReserveOptions, capacityFromFlags, type DeviceCapacity, type ReserveFlags } from "../gpuOptions.js";
import { replay } from "@hbmscope/core";
import { timelineChart } from "@hbmscope/viz";
import { simulatePipelineCommand } from "./simulatePipelineCommand.js";

interface SimulateFlags extends SetupFlags, ReserveFlags {
  model?: string;
  semantics: "tfjs" | "eager";
  backend: "cpu" | "wasm";
  mode: "train" | "forward";
  allocator: string;
  capacity?: string;
  out?: string;
  json?: boolean;
  svg?: string;
  x?: "event" | "op" | "time";
}

/**
 * What `hbmscope simulate --json` prints: the simulated step's peak (live bytes, physical view), the
 * allocator replay's reserved peak and fragmentation, the phase, op and scope of the peak, the
 * breakdown at the peak, and the OOM facts (null when it fits). Sizes in bytes, per GPU.
 */
export function simulateReport(model: ModelSpec, setup: TrainingSetup, options: SimulateOptions, allocator: string, device?: DeviceCapacity) {
  let trace: Trace;
  try {
    trace = simulateStep(model, setup, options);
  } catch (e) {
    throw new CliError((e as Error).message.replace(/^simulateStep: /, "simulate: "), 2);
  }
  for (let i = 0; i < trace.buffers.length; i++) {
    const b = trace.buffers[i];
    if (!Number.isSafeInteger(b.bytes)) throw new CliError(`simulate: ${tooLarge(`a buffer of ${b.bytes} bytes (${b.op ?? "buffer " + i})`)}`, 2);
  }
  const tl = timeline(trace, { view: "physical" });
  if (!Number.isSafeInteger(tl.peak.bytes)) throw new CliError(`simulate: ${tooLarge(`a peak of ${tl.peak.bytes} bytes`)}`, 2);
  const replayed = replayReport(trace, allocator, { device, view: "physical" });
  return {
    trace,
    json: {
      model: model.name,
      semantics: options.semantics ?? "eager",
      mode: options.mode ?? "train",
      allocator: replayed.allocator,
      capacity: replayed.capacity,
      device: replayed.device,
      peakBytes: tl.peak.bytes,
      allocatedPeak: replayed.allocatedPeak,
      reservedPeak: replayed.reservedPeak,
      peakPhase: tl.peak.phase,
      peakOp: tl.peak.op,
      peakScope: tl.peak.scope,
      byCategoryAtPeak: tl.byCategoryAtPeak,
      phasePeaks: tl.phasePeaks,
      fragmentationAtPeak: replayed.fragmentationAtPeak,
      events: trace.events.length,
      buffers: trace.buffers.length,
      oom: replayed.oom,
    },
  };
}

/** The message for sizes beyond what a double holds exactly (what a trace refuses to hold). */
function tooLarge(what: string): string {
  return `the step needs ${what}, beyond 2^53 - 1 bytes (about 8 PiB), the largest size counted exactly; lower --seq, --batch or the model size`;
}

export function registerSimulate(program: Command, io: Io) {
  const cmd = program
    .command("simulate")
    .description("generate the tensor-level trace of one training step from a model and a setup, and replay it through an allocator")
    .option("--model <preset|config.json>", "a preset name (llama-2-7b, gpt2-small, ...) or a Hugging Face config.json");
  addSetupOptions(cmd)
    .addOption(new Option("--semantics <rules>", "whose memory rules: PyTorch eager or the TensorFlow.js engine (then --precision defaults to fp32)").choices(["eager", "tfjs"]).default("eager"))
    .addOption(new Option("--backend <name>", "tfjs backend the tfjs semantics follow").choices(["wasm", "cpu"]).default("wasm"))
    .addOption(new Option("--mode <mode>", "a training step or a forward pass").choices(["train", "forward"]).default("train"))
    .addOption(new Option("--allocator <name>", "allocator model to replay the trace through").choices(["ideal", "caching", "bfc", "planned"]).default("caching"))
    .option("--capacity <gpu|size>", "the device: a card (RTX 4090), a tier (24GB) or a size (80GiB, bytes); the allocator gets it minus the reserve; exit code 3 when the step does not fit")
    .option("-o, --out <trace.json>", "write the simulated trace (- for standard output)")
    .option("--json", "print one JSON object (sizes in bytes, per GPU)")
    .option("--svg <file.svg>", "write the timeline chart of the simulated step with the allocator's reserved line (and the capacity, when given)")
    .addOption(new Option("--x <axis>", "horizontal axis of the --svg chart: event index, or op call (a loop's repeated ops share one) (default: event)").choices(["event", "op"]));
  addReserveOptions(cmd)
    .action((opts: SimulateFlags, command: Command) => {
      if (!opts.model) throw new CliError("simulate needs --model <preset|config.json>", 2);
      const { toStdout } = checkOutputs(io, [{ flag: "--out", path: opts.out }, { flag: "--svg", path: opts.svg }], [opts.model], opts.json);
      const model = modelFromFlag(opts.model, io.cwd);
      // tfjs computes in float32: with --semantics tfjs, --precision defaults to fp32.
      const precision = opts.semantics === "tfjs" && cmd.getOptionValueSource("precision") === "default" ? "fp32" : opts.precision;
      const setup = setupFromFlags({ ...opts, precision }, model);
      const notes = setupNotes(opts, (name) => command.getOptionValueSource(name) === "cli");
      const device = capacityFromFlags(opts.capacity, opts);
      if (setup.pp > 1) return simulatePipelineCommand(io, model, setup, opts, notes, device, toStdout);
      const r = simulateReport(model, setup, { semantics: opts.semantics, backend: opts.backend, mode: opts.mode }, opts.allocator, device);
      // The simulator says when it modelled another program than the one asked for (hf falls back to fused).
      const simNotes = (r.trace.meta as { notes?: unknown }).notes;
      if (Array.isArray(simNotes)) notes.push(...simNotes.filter((n): n is string => typeof n === "string"));
      if (opts.out) writeOutput(opts.out, serializeTrace(r.trace), io);
      if (opts.svg) {
        const run = replay(r.trace, ALLOCATORS[opts.allocator](r.trace), { capacity: device?.gpu.bytes, outside: device?.reserve, view: "physical" });
        const title = `Simulated ${model.name} ${r.json.mode === "forward" ? "forward pass" : "step"} (${r.json.semantics} semantics), ${run.allocator.name} allocator`;
        const subtitle = setupSubtitle(setup, device ? [`on ${capacityText(device)}`] : []);
        writeOutput(opts.svg, timelineChart(r.trace, { run, title, subtitle, x: opts.x }).svg, io, "--svg");
      }
      for (const n of notes) io.stderr(`note: ${n}\n`);
      (toStdout ? io.stderr : io.stdout)(opts.json ? JSON.stringify({ ...r.json, notes }) + "\n" : renderSimulate(r.json, opts.out));
      if (r.json.oom) throw new CliError(r.json.oom.message, OOM_EXIT_CODE);
    });
}

function renderSimulate(r: ReturnType<typeof simulateReport>["json"], out?: string): string {
  const f = r.fragmentationAtPeak;
  return [
    `${r.model}: simulated ${r.mode} step (${r.semantics} semantics), ${r.events} events, ${r.buffers} buffers${out ? `, trace written to ${out}` : ""}`,
    `peak allocated ${formatBytes(r.peakBytes)} in ${r.peakPhase || "-"} at op ${r.peakOp || "-"}${r.peakScope ? ` (${r.peakScope})` : ""}`,
    `reserved peak (${r.allocator.name} allocator) ${formatBytes(r.reservedPeak)}; fragmentation at the reserved peak: free in segments ${formatBytes(f.external)}, rounding ${formatBytes(f.internal)}, largest free block ${formatBytes(f.largestFree)}`,
    r.device ? (r.oom ? `does NOT fit in ${capacityText(r.device)}` : `fits in ${capacityText(r.device)}`) : "",
    "",
    "breakdown at peak:",
    table([
      ["category", "bytes", "share"],
      ...CATEGORIES.filter((c) => r.byCategoryAtPeak[c] > 0).map((c) => [c, formatBytes(r.byCategoryAtPeak[c]), `${((100 * r.byCategoryAtPeak[c]) / (r.peakBytes || 1)).toFixed(1)}%`]),
    ]),
    "peak per phase:",
    table([["phase", "peak", "event"], ...r.phasePeaks.map((p) => [p.phase || "-", formatBytes(p.bytes), p.index])]),
  ].join("\n");
}
