import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { TraceCounter } from "@hbmscope/core";
import { CliError } from "../cliError.js";
import { querySmi, type SmiRow } from "./querySmi.js";

/** Options of `monitorCommand`. */
export interface MonitorOptions {
  /** The command and its arguments. */
  command: string[];
  /** Milliseconds between samples. @defaultValue 200 */
  interval?: number;
  /** GPU indices to keep; @defaultValue every GPU nvidia-smi lists */
  gpus?: number[];
  /** Environment of the command and of nvidia-smi. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Called with each sample as it comes (time in ms from the start, the kept GPUs' rows), e.g. to append it to a file. */
  onSample?: (time: number, rows: SmiRow[]) => void;
  /** Where the command's stdout goes: this process's stdout, or its stderr (keeps stdout for `--json`). @defaultValue "inherit" */
  childStdout?: "inherit" | "stderr";
  /** Called once, when sampling stops early (nvidia-smi failed mid-run); the command runs on. */
  onSamplingError?: (error: Error) => void;
}

/** What a monitored run gives. */
export interface MonitorResult {
  /** One `used` series per kept GPU, with its capacity (bytes, ms from the start). */
  counters: TraceCounter[];
  /** The command's exit code; 128 + the signal's number when a signal ended it (as shells report it). */
  exitCode: number;
  /** The signal that ended the command, or null. */
  signal: string | null;
  /** Wall-clock start (ISO 8601). */
  startedAt: string;
  /** Milliseconds from the first sample to the command's exit. */
  duration: number;
  /** Set when sampling stopped before the command ended. */
  samplingError?: string;
}

/**
 * Runs `command` while sampling every GPU's used and total memory through nvidia-smi, one query
 * every `interval` ms (on a fixed grid: a late timer or slow query skips grid points, never drifts), until the
 * command exits (a query under way then is kept). The first query runs before the command starts, so a missing nvidia-smi or GPU
 * stops here with nothing started. The command inherits stdio and runs in its own process group:
 * SIGINT and SIGTERM that reach this process are passed on to that group once (Ctrl-C stops the
 * command first; this process then returns its exit code), and the group is signalled if this
 * process exits first. Handlers are removed when the command ends.
 *
 * @throws CliError nvidia-smi missing or failing at the first query, a `gpus` index nvidia-smi does not list, or a command that cannot start.
 */
export async function monitorCommand(options: MonitorOptions): Promise<MonitorResult> {
  const interval = options.interval ?? 200;
  const env = options.env ?? process.env;
  const [file, ...args] = options.command;
  if (!file) throw new CliError("monitor: no command to run; give one after --", 2);
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const series = new Map<number, TraceCounter>();
  let keep: Set<number> | undefined;

  const record = (time: number, rows: SmiRow[]) => {
    const kept = rows.filter((r) => keep!.has(r.index));
    for (const r of kept) {
      let c = series.get(r.index);
      if (!c) series.set(r.index, (c = { name: "used", device: r.index, unit: "bytes", capacity: r.total, samples: [] }));
      c.capacity = r.total;
      c.samples.push([time, r.used]);
    }
    options.onSample?.(time, kept);
  };

  const first = await querySmi(env);
  const listed = first.map((r) => r.index);
  if (listed.length === 0) throw new CliError("monitor: nvidia-smi lists no GPUs");
  for (const g of options.gpus ?? []) {
    if (!listed.includes(g)) throw new CliError(`--gpus: GPU ${g} does not exist; nvidia-smi lists GPU ${listed.join(", ")}`, 2);
  }
  keep = new Set(options.gpus ?? listed);
  record(0, first);

  const child = spawn(file, args, { env, stdio: ["inherit", options.childStdout === "stderr" ? 2 : "inherit", "inherit"], detached: true });
  const signalGroup = (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  };
  const onInt = () => signalGroup("SIGINT");
  const onTerm = () => signalGroup("SIGTERM");
  const onExit = () => signalGroup("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  process.on("exit", onExit);

  let done = false;
  let wake: (() => void) | undefined;
  let samplingError: string | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("error", (e: NodeJS.ErrnoException) => {
      const why = e.code === "ENOENT" ? "not found (check the name and PATH)" : e.code === "EACCES" ? "permission denied (is it executable?)" : e.message;
      reject(new CliError(`monitor: cannot start ${JSON.stringify(file)}: ${why}`));
    });
    child.once("exit", (code, signal) => resolve({ code, signal }));
  }).finally(() => {
    done = true;
    wake?.();
  });

  // Sample k is taken at the first grid point (k × interval) after the previous sample's step: a
  // late timer or a slow query skips grid points, so there is at most one sample per step and
  // no drift. A query that started before the command exited is kept.
  const sampling = (async () => {
    let next = 1;
    while (!done) {
      // Timers may fire a little early (libuv's loop time lags the clock): wait until the grid point.
      for (let wait = next * interval - (performance.now() - start); wait > 0 && !done; wait = next * interval - (performance.now() - start)) {
        await new Promise<void>((r) => {
          const timer = setTimeout(r, Math.ceil(wait));
          wake = () => {
            clearTimeout(timer);
            r();
          };
        });
        wake = undefined;
      }
      if (done) break;
      const time = Math.round((performance.now() - start) * 1000) / 1000;
      try {
        record(time, await querySmi(env));
      } catch (e) {
        samplingError = (e as Error).message;
        options.onSamplingError?.(e as Error);
        break;
      }
      next = Math.floor(time / interval) + 1;
    }
  })();

  try {
    const { code, signal } = await exited;
    await sampling;
    const duration = Math.round((performance.now() - start) * 1000) / 1000;
    const exitCode = code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0);
    const counters = [...series.values()].sort((a, b) => a.device - b.device);
    return { counters, exitCode, signal, startedAt, duration, ...(samplingError ? { samplingError } : {}) };
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    process.off("exit", onExit);
  }
}
