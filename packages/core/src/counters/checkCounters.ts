import type { TraceCounter } from "../trace/trace.js";
import { TraceError } from "../trace/traceError.js";
import { describe, isObject } from "../trace/traceValidator.js";

/**
 * Checks a trace's optional `counters` field (sampled series, see `TraceCounter`): an array of
 * objects with a `name`, a `device` index, `unit` "bytes" if given, a `capacity` in bytes if given,
 * and `samples` of `[time ms, bytes]` pairs in time order. `undefined` passes (the field is optional).
 *
 * @throws TraceError naming where and what, e.g. `counters[1].samples[4]: time 10 goes back before the previous sample's 12`.
 */
export function checkCounters(value: unknown): asserts value is TraceCounter[] | undefined {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new TraceError("counters", `must be an array, got ${describe(value)}`);
  value.forEach((c: unknown, i) => {
    const path = `counters[${i}]`;
    if (!isObject(c)) throw new TraceError(path, `a counter is an object, got ${describe(c)}`);
    if (typeof c.name !== "string" || c.name === "") throw new TraceError(path, `name must be a non-empty string, got ${describe(c.name)}`);
    if (typeof c.device !== "number" || !Number.isSafeInteger(c.device) || c.device < 0) {
      throw new TraceError(path, `device must be a non-negative integer, got ${describe(c.device)}`);
    }
    if (c.unit !== undefined && c.unit !== "bytes") throw new TraceError(path, `unit must be "bytes", got ${describe(c.unit)}`);
    if (c.capacity !== undefined && !isBytes(c.capacity)) {
      throw new TraceError(path, `capacity must be a non-negative integer of bytes, got ${describe(c.capacity)}`);
    }
    if (!Array.isArray(c.samples)) throw new TraceError(path, `samples must be an array of [time ms, bytes] pairs, got ${describe(c.samples)}`);
    let last = -Infinity;
    c.samples.forEach((s: unknown, k) => {
      const at = `${path}.samples[${k}]`;
      if (!Array.isArray(s) || s.length !== 2) throw new TraceError(at, `a sample is a [time ms, bytes] pair, got ${describe(s)}`);
      const [t, v] = s as unknown[];
      if (typeof t !== "number" || !Number.isFinite(t)) throw new TraceError(at, `time must be a finite number of milliseconds, got ${describe(t)}`);
      if (t < last) throw new TraceError(at, `time ${t} goes back before the previous sample's ${last}`);
      if (!isBytes(v)) throw new TraceError(at, `value must be a non-negative integer of bytes, got ${describe(v)}`);
      last = t;
    });
  });
}

function isBytes(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
