import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { counterPeak, eventCount, replay, type Trace, type TraceCounter } from "@hbmscope/core";
import { overhead } from "@hbmscope/model";
import { ALLOCATORS } from "../allocators.js";
import { CliError } from "../cliError.js";
import { registerEstimate } from "../commands/estimate.js";
import { readTraceFile } from "../readTraceFile.js";

/**
 * A prediction to hold a run against, per GPU, bytes: `device` is what nvidia-smi's `memory.used`
 * should show (the CUDA context and cuBLAS workspace included); `reserved` is what PyTorch's
 * `max_memory_reserved()` should show (without them).
 */
export interface Expectation {
  device: number;
  reserved: number;
  /** Where it comes from: `estimate`, `estimate.json` or `simulated trace (caching allocator)`. */
  from: string;
  /** Short description for the chart's line (`estimate 58.1 GiB`). */
  label: string;
}

/** One GPU's observed peak against the prediction. */
export interface GpuComparison {
  device: number;
  /** The series compared: `used` (nvidia-smi), or `peakReserved` / `reserved` (torch.cuda log). */
  series: string;
  capacity: number | null;
  observedPeak: number;
  /** Milliseconds from the start. */
  observedPeakAt: number;
  predictedPeak: number | null;
  /** predicted - observed, bytes (positive: the prediction was above what the run used). */
  errorBytes: number | null;
  /** (predicted - observed) / observed. */
  error: number | null;
}

/**
 * The prediction `--expect` names: an estimate.json (`hbmscope estimate --json`), a trace file
 * (a simulated or recorded step: replayed through the caching allocator, reserved peak plus the
 * default CUDA context and cuBLAS workspace), or estimate flags (`"--model llama-2-7b --batch 4
 * --method lora"`), run as `hbmscope estimate --json`.
 * @throws CliError naming `--expect` and what it accepts.
 */
export async function expectation(value: string, cwd: string): Promise<Expectation> {
  const trimmed = value.trim();
  const path = resolve(cwd, trimmed);
  if (!trimmed.startsWith("-") && existsSync(path)) return fromFile(trimmed, path, cwd);
  if (!trimmed.startsWith("-")) {
    throw new CliError(`--expect: ${JSON.stringify(value)} is not a file; --expect takes an estimate.json, a trace (simulate --out) or estimate flags ("--model llama-2-7b --batch 4")`, 2);
  }
  return fromFlags(trimmed, cwd);
}

async function fromFlags(flags: string, cwd: string): Promise<Expectation> {
  let out = "";
  const root = new Command("hbmscope").exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  registerEstimate(root, { stdout: (t) => void (out += t), stderr: () => {}, cwd });
  for (const c of root.commands) c.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  try {
    await root.parseAsync(["estimate", ...splitWords(flags), "--json"], { from: "user" });
  } catch (e) {
    const msg = (e as Error).message.replace(/^error: /, "");
    throw new CliError(`--expect: ${msg}`, e instanceof CommanderError ? 2 : (e as CliError).exitCode ?? 1);
  }
  const j = JSON.parse(out);
  return fromEstimateJson(j, "estimate");
}

function fromEstimateJson(j: Record<string, unknown>, from: string): Expectation {
  const total = j.total;
  const over = typeof j.overhead === "number" ? j.overhead : overhead().bytes;
  if (typeof total !== "number" || !Number.isFinite(total)) throw new CliError(`--expect: ${from} has no "total" in bytes; give the output of hbmscope estimate --json`, 2);
  return { device: total, reserved: Math.max(0, total - over), from, label: "estimate" };
}

function fromFile(name: string, path: string, cwd: string): Expectation {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    value = undefined; // not JSON: a pickle snapshot, or a trace too large for one string; readTraceFile says what is wrong
  }
  if (value && typeof value === "object" && !Array.isArray(value) && (value as Record<string, unknown>).format === undefined && "total" in value) {
    return fromEstimateJson(value as Record<string, unknown>, name);
  }
  let trace: Trace;
  try {
    trace = readTraceFile(name, cwd);
  } catch (e) {
    throw new CliError(`--expect: ${(e as Error).message}; --expect takes an estimate.json, a trace or estimate flags`, 2);
  }
  if (eventCount(trace) === 0) {
    throw new CliError(`--expect: ${name} has no allocation events${trace.counters?.length ? " (a monitored run)" : ""}; --expect takes an estimate.json, a simulated or recorded step's trace, or estimate flags`, 2);
  }
  const run = replay(trace, ALLOCATORS.caching(trace));
  const reserved = run.peaks.reserved.bytes;
  return { device: reserved + overhead().bytes, reserved, from: `${name} (caching allocator)`, label: "simulated" };
}

/** Splits `--model "A100 40GB" --batch 4` into words, honouring single and double quotes. */
export function splitWords(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/**
 * Each GPU's observed peak against `expect` (when given): the nvidia-smi `used` series against the
 * device prediction, else a torch.cuda log's `peakReserved` (or `reserved`) against the reserved one.
 */
export function compareRun(counters: TraceCounter[], expect: Expectation | undefined): GpuComparison[] {
  const devices = [...new Set(counters.map((c) => c.device))].sort((a, b) => a - b);
  return devices.map((device) => {
    const mine = counters.filter((c) => c.device === device);
    const c = mine.find((s) => s.name === "used") ?? mine.find((s) => s.name === "peakReserved") ?? mine.find((s) => s.name === "reserved") ?? mine[0];
    const p = counterPeak(c);
    const predicted = expect ? (c.name === "used" ? expect.device : expect.reserved) : null;
    const errorBytes = predicted === null ? null : predicted - p.bytes;
    return {
      device,
      series: c.name,
      capacity: mine.find((s) => s.capacity !== undefined)?.capacity ?? null,
      observedPeak: p.bytes,
      observedPeakAt: p.time,
      predictedPeak: predicted,
      errorBytes,
      error: errorBytes === null || p.bytes === 0 ? null : errorBytes / p.bytes,
    };
  });
}
