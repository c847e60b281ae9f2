import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import type { Command } from "commander";
import { counterTrace, formatBytes, parseSmiCsv, parseTorchMemoryLog, serializeTrace, type CounterLog, type TraceCounter, type TraceMeta } from "@hbmscope/core";
import { intListArg } from "../args.js";
import { CliError } from "../cliError.js";
import type { Io } from "../io.js";
import { table } from "../table.js";
import { writeOutput } from "../writeOutput.js";
import { checkOutputs } from "../checkOutputs.js";
import { compareRun, expectation, type Expectation, type GpuComparison } from "../monitor/expectation.js";
import { intervalArg } from "../monitor/intervalArg.js";
import { monitorCommand } from "../monitor/monitorCommand.js";
import { samplesLog } from "../monitor/samplesLog.js";
import { monitorFigure } from "../monitor/monitorFigure.js";

interface MonitorFlags {
  interval?: number;
  gpus?: number[];
  out?: string;
  svg?: string;
  expect?: string;
  from?: string;
  json?: boolean;
}

/** Extensions read as a torch.cuda JSON-lines log by `--from`; anything else is read as nvidia-smi CSV unless it starts with `{`. */
const JSONL = new Set([".jsonl", ".ndjson", ".json"]);

/** Reads a saved log (`--from`): nvidia-smi CSV, or JSON lines of torch.cuda figures. */
export function readCounterLog(path: string, cwd: string, interval: number | undefined): { log: CounterLog; source: string } {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), "utf8");
  } catch (e) {
    throw new CliError(`--from: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const torch = JSONL.has(extname(path).toLowerCase()) || text.trimStart().startsWith("{");
  try {
    const log = torch ? parseTorchMemoryLog(text, { interval }) : parseSmiCsv(text, { interval });
    if (log.lines === 0) throw new Error(`no samples in the file`);
    return { log, source: torch ? "torch.cuda log" : "nvidia-smi log" };
  } catch (e) {
    throw new CliError(`--from ${path}: ${(e as Error).message.replace(/^parse\w+: /, "")}`);
  }
}

/** What `hbmscope monitor --json` prints. */
export interface MonitorReport {
  source: string;
  command: string[] | null;
  exitCode: number | null;
  signal: string | null;
  startedAt: string | null;
  /** Milliseconds from the first sample to the last (or to the command's exit). */
  duration: number;
  interval: number | null;
  samples: number;
  expect: Expectation | null;
  gpus: GpuComparison[];
  out: string | null;
  svg: string | null;
  samplingError: string | null;
}

function render(r: MonitorReport): string {
  const pct = (e: number | null) => (e === null ? "-" : `${e >= 0 ? "+" : ""}${(100 * e).toFixed(1)}%`);
  const head = r.command
    ? `monitored: ${r.command.join(" ")} (exit code ${r.exitCode}${r.signal ? `, ${r.signal}` : ""}), ${r.samples} samples every ${r.interval} ms over ${(r.duration / 1000).toFixed(1)} s`
    : `${r.source}: ${r.samples} samples over ${(r.duration / 1000).toFixed(1)} s`;
  const rows: (string | number)[][] = [["GPU", "series", "observed peak", "at", "capacity", "predicted", "error"]];
  for (const g of r.gpus) {
    rows.push([
      g.device, g.series, formatBytes(g.observedPeak), `${(g.observedPeakAt / 1000).toFixed(1)} s`, g.capacity === null ? "-" : formatBytes(g.capacity),
      g.predictedPeak === null ? "-" : formatBytes(g.predictedPeak), pct(g.error),
    ]);
  }
  const lines = [head, "", table(rows)];
  if (r.expect) lines.push(`predicted from ${r.expect.from}; error = (predicted - observed) / observed`);
  if (r.samplingError) lines.push(`sampling stopped early: ${r.samplingError}`);
  if (r.out) lines.push(`wrote ${r.out}`);
  if (r.svg) lines.push(`wrote ${r.svg}`);
  return lines.join("\n") + "\n";
}

export function registerMonitor(program: Command, io: Io) {
  program
    .command("monitor")
    .description("run a command while sampling each GPU's used memory with nvidia-smi (or read a saved log), and hold the peak against a prediction")
    .argument("[command...]", "the command to run, after --")
    .option("--interval <duration>", "time between samples (200ms, 1s); for --from logs without timestamps, their spacing (default 1s there)", intervalArg)
    .option("--gpus <list>", "GPU indices to keep (0,1); default every GPU", intListArg("--gpus", 0))
    .option("-o, --out <trace.json>", "write the samples as a trace (- for standard output) (counters per GPU); while the command runs they go to <trace.json>.samples.csv as they come")
    .option("--svg <file.svg>", "write a chart: used memory over wall time per GPU, the predicted peak, the capacity, the peak")
    .option("--expect <estimate.json|trace.json|flags>", 'the prediction: an estimate.json, a trace (simulate --out), or estimate flags ("--model llama-2-7b --batch 4")')
    .option("--from <log.csv|log.jsonl>", "read a saved nvidia-smi CSV log or a torch.cuda JSON-lines log instead of running a command")
    .option("--json", "print one JSON object: observed and predicted peak and the error per GPU (sizes in bytes, times in ms)")
    .action(async (command: string[], opts: MonitorFlags) => {
      if (opts.from && command.length) throw new CliError("monitor takes a command after -- or --from <log>, not both", 2);
      if (!opts.from && !command.length) throw new CliError("monitor needs a command after -- (hbmscope monitor -- python train.py) or --from <log.csv|log.jsonl>", 2);
      if (opts.json && opts.out === "-") throw new CliError("monitor: --json and --out - both write to stdout; write the trace to a file", 2);
      // Outputs are checked before anything runs (and never over the log read).
      checkOutputs(io, [{ flag: "--out", path: opts.out }, { flag: "--svg", path: opts.svg }], [opts.from], opts.json);
      const expect = opts.expect !== undefined ? await expectation(opts.expect, io.cwd) : undefined;
      let counters: TraceCounter[];
      let meta: TraceMeta;
      let report: Omit<MonitorReport, "gpus" | "out" | "svg">;
      if (opts.from) {
        const { log, source } = readCounterLog(opts.from, io.cwd, opts.interval);
        counters = log.counters;
        if (opts.gpus) {
          const listed = [...new Set(counters.map((c) => c.device))];
          for (const g of opts.gpus) if (!listed.includes(g)) throw new CliError(`--gpus: GPU ${g} does not exist; ${opts.from} has GPU ${listed.join(", ")}`, 2);
          counters = counters.filter((c) => opts.gpus!.includes(c.device));
        }
        const duration = Math.max(0, ...counters.map((c) => (c.samples.length ? c.samples[c.samples.length - 1][0] : 0)));
        report = { source, command: null, exitCode: null, signal: null, startedAt: log.startedAt ?? null, duration, interval: opts.interval ?? null, samples: log.lines, expect: expect ?? null, samplingError: null };
        meta = { source, log: opts.from, ...(log.startedAt ? { startedAt: log.startedAt } : {}) };
      } else {
        const toStdout = opts.out === "-";
        const interval = opts.interval ?? 200;
        let log: ReturnType<typeof samplesLog> | undefined;
        let samples = 0;
        const r = await monitorCommand({
          command,
          interval,
          gpus: opts.gpus,
          childStdout: opts.json || toStdout ? "stderr" : "inherit",
          onSample: (time, rows) => {
            if (opts.out && !toStdout) {
              log ??= samplesLog(resolve(io.cwd, `${opts.out}.samples.csv`), new Date(Date.now() - time).toISOString());
              log.add(time, rows);
            }
            samples++;
          },
          onSamplingError: (e) => io.stderr(`hbmscope: ${e.message}; sampling stopped, the command runs on${opts.out ? ` (samples so far are in ${opts.out}.samples.csv)` : ""}\n`),
        });
        counters = r.counters;
        report = { source: "nvidia-smi", command, exitCode: r.exitCode, signal: r.signal, startedAt: r.startedAt, duration: r.duration, interval, samples, expect: expect ?? null, samplingError: r.samplingError ?? null };
        meta = { source: "nvidia-smi", command, startedAt: r.startedAt, interval, exitCode: r.exitCode, signal: r.signal };
        if (opts.out) {
          writeOutput(opts.out, serializeTrace(counterTrace(counters, { ...meta, ...(expect ? { expect } : {}) })), io);
          log?.remove();
        }
      }
      if (opts.from && opts.out) writeOutput(opts.out, serializeTrace(counterTrace(counters, { ...meta, ...(expect ? { expect } : {}) })), io);
      const gpus = compareRun(counters, expect);
      if (opts.svg) {
        const r = report as { source?: string; interval?: number; samples?: number };
        const subtitle = [r.source, r.interval ? `every ${r.interval} ms` : "", r.samples ? `${r.samples} samples` : "", expect ? `prediction: ${expect.label}, ${expect.from}` : ""].filter(Boolean).join(" · ");
        const fig = monitorFigure(counters, expect, { title: report.command ? `GPU memory: ${report.command.join(" ")}` : `GPU memory: ${opts.from}`, subtitle });
        writeOutput(opts.svg, fig.svg, io, "--svg");
      }
      const full: MonitorReport = { ...report, gpus, out: opts.out ?? null, svg: opts.svg ?? null };
      if (opts.json) io.stdout(JSON.stringify(full) + "\n");
      else (opts.out === "-" ? io.stderr : io.stdout)(render(full)); // with --out -, stdout holds the trace
      if (report.exitCode !== null && report.exitCode !== 0) {
        throw new CliError(`monitor: the command exited with code ${report.exitCode}${report.signal ? ` (${report.signal})` : ""}`, report.exitCode);
      }
    });
}
