import { bufferAt, bufferCount, eventAt, eventCount } from "./lazyTrace.js";
import type { Trace } from "./trace.js";

/**
 * The compact JSON text of `serializeTrace(trace)`, in pieces of about `itemsPerChunk` buffers or
 * events (@defaultValue 20000) each: joined, they are exactly `serializeTrace(trace)`. For traces
 * too large for one string (V8 strings end at about 512 MiB) and for lazy traces (`lazyTrace`),
 * whose arrays this never builds. Write the pieces to a file as they come.
 */
export function* serializeTraceChunks(trace: Trace, options: { itemsPerChunk?: number } = {}): Generator<string> {
  const per = options.itemsPerChunk ?? 20000;
  if (!Number.isSafeInteger(per) || per < 1) throw new RangeError(`serializeTraceChunks: itemsPerChunk must be a positive integer, got ${per}`);
  const { format, version, meta, marks } = trace;
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(trace)) {
    if (["format", "version", "meta", "buffers", "events", "marks"].includes(key)) continue;
    // defineProperty: a `__proto__` field stays a field (plain assignment would set the prototype).
    Object.defineProperty(rest, key, { value: (trace as unknown as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true });
  }
  const head = JSON.stringify({ format, version, meta, ...rest });
  yield `${head.slice(0, -1)}${head.length > 2 ? "," : ""}"buffers":[`;
  yield* items(bufferCount(trace), (i) => bufferAt(trace, i), per);
  yield `],"events":[`;
  yield* items(eventCount(trace), (i) => eventAt(trace, i), per);
  yield `],"marks":${JSON.stringify(marks)}}`;
}

function* items(n: number, at: (i: number) => unknown, per: number): Generator<string> {
  for (let start = 0; start < n; start += per) {
    const end = Math.min(n, start + per);
    const parts: string[] = new Array(end - start);
    // As JSON.stringify writes array items: what has no JSON form is null.
    for (let i = start; i < end; i++) parts[i - start] = JSON.stringify(at(i)) ?? "null";
    yield (start > 0 ? "," : "") + parts.join(",");
  }
}
