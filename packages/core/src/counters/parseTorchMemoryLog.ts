import { CounterCollector, quoteLine, type CounterLog } from "./counterLog.js";

/** Options of `parseTorchMemoryLog`. */
export interface TorchMemoryLogOptions {
  /** Milliseconds between lines that have no `time` (nor `step`). @defaultValue 1000 */
  interval?: number;
}

/**
 * The series read from each line, and the keys they come from: `torch.cuda` functions first, then
 * the `torch.cuda.memory_stats()` keys that hold the same figures (PyTorch's
 * `torch/cuda/memory.py`: `memory_allocated()` is `allocated_bytes.all.current`, and so on).
 */
const SERIES: [name: string, keys: string[]][] = [
  ["allocated", ["memory_allocated", "allocated_bytes.all.current"]],
  ["reserved", ["memory_reserved", "reserved_bytes.all.current"]],
  ["peakAllocated", ["max_memory_allocated", "allocated_bytes.all.peak"]],
  ["peakReserved", ["max_memory_reserved", "reserved_bytes.all.peak"]],
];

const ACCEPTED = "max_memory_allocated, max_memory_reserved, memory_allocated, memory_reserved or memory_stats";

/**
 * Reads a JSON-lines log that a training loop wrote from `torch.cuda`, one object per line:
 * `{"time": time.time(), "device": 0, "memory_stats": torch.cuda.memory_stats(),
 * "max_memory_allocated": ..., "max_memory_reserved": ...}`. Each line gives the series it has
 * figures for: `allocated`, `reserved`, `peakAllocated`, `peakReserved` (bytes), from the top-level
 * keys or from `memory_stats` (see `SERIES`). `time` is seconds (Python's `time.time()`), made
 * milliseconds from the first line; without it, `step` (or the line number) × `interval`.
 * `device` is an index or `"cuda:N"` (default 0); `total_memory` (bytes) becomes the capacity.
 *
 * @throws Error `parseTorchMemoryLog: line N: ...` for a line that is not such an object.
 */
export function parseTorchMemoryLog(text: string, options: TorchMemoryLogOptions = {}): CounterLog {
  const interval = options.interval ?? 1000;
  if (!(Number.isFinite(interval) && interval > 0)) throw new Error(`parseTorchMemoryLog: interval must be a positive number of milliseconds, got ${interval}`);
  const out = new CounterCollector();
  let t0: number | undefined;
  let startedAt: string | undefined;
  let lines = 0;
  const rows = text.split(/\r?\n/);
  for (let n = 0; n < rows.length; n++) {
    const line = rows[n].trim();
    if (line === "") continue;
    const fail = (why: string): never => {
      throw new Error(`parseTorchMemoryLog: line ${n + 1}: ${why}, got ${quoteLine(line)}`);
    };
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      fail(`not valid JSON (${(e as Error).message})`);
    }
    if (typeof o !== "object" || o === null || Array.isArray(o)) fail("a line is one JSON object");
    const rec = o as Record<string, unknown>;
    const stats = rec.memory_stats;
    if (stats !== undefined && (typeof stats !== "object" || stats === null || Array.isArray(stats))) fail("memory_stats must be the object torch.cuda.memory_stats() returns");
    const device = deviceOf(rec.device);
    if (device === undefined) fail(`device must be an index or "cuda:N", got ${JSON.stringify(rec.device)}`);
    let time: number;
    if (rec.time !== undefined) {
      if (typeof rec.time !== "number" || !Number.isFinite(rec.time)) fail(`time must be seconds (time.time()), got ${JSON.stringify(rec.time)}`);
      const ms = (rec.time as number) * 1000;
      if (t0 === undefined) {
        t0 = ms;
        startedAt = new Date(ms).toISOString();
      }
      time = Math.round((ms - t0) * 1000) / 1000;
    } else if (rec.step !== undefined) {
      if (typeof rec.step !== "number" || !Number.isSafeInteger(rec.step) || rec.step < 0) fail(`step must be a non-negative integer, got ${JSON.stringify(rec.step)}`);
      time = (rec.step as number) * interval;
    } else time = lines * interval;
    let capacity: number | undefined;
    if (rec.total_memory !== undefined) {
      if (!isBytes(rec.total_memory)) fail(`total_memory must be bytes, got ${JSON.stringify(rec.total_memory)}`);
      capacity = rec.total_memory as number;
    }
    let any = false;
    for (const [name, keys] of SERIES) {
      const key = keys.find((k) => rec[k] !== undefined || (stats as Record<string, unknown> | undefined)?.[k] !== undefined);
      if (key === undefined) continue;
      const v = rec[key] ?? (stats as Record<string, unknown>)[key];
      if (!isBytes(v)) fail(`${key} must be a non-negative integer of bytes, got ${JSON.stringify(v)}`);
      const last = out.lastTime(device!, name);
      if (time < last) fail(`time goes back (${time} ms after ${last} ms from the start)`);
      out.add(device!, name, time, v as number, capacity);
      any = true;
    }
    if (!any) fail(`no memory figures; expected ${ACCEPTED}`);
    lines++;
  }
  return { counters: out.counters(), ...(startedAt !== undefined ? { startedAt } : {}), lines };
}

function deviceOf(v: unknown): number | undefined {
  if (v === undefined) return 0;
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === "string") {
    const m = /^(?:cuda:)?(\d+)$/.exec(v);
    return m ? Number(m[1]) : undefined;
  }
  return undefined;
}

function isBytes(v: unknown): boolean {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
