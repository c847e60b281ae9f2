import { jsonItemPieces } from "./jsonItemPieces.js";
import { bufferAt, bufferCount, eventAt, eventCount } from "./lazyTrace.js";
import type { Trace } from "./trace.js";
import { traceExtras } from "./traceExtras.js";

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
  const head = JSON.stringify({ format, version, meta, ...traceExtras(trace) });
  yield `${head.slice(0, -1)}${head.length > 2 ? "," : ""}"buffers":[`;
  yield* jsonItemPieces(rows(bufferCount(trace), (i) => bufferAt(trace, i)), per);
  yield `],"events":[`;
  yield* jsonItemPieces(rows(eventCount(trace), (i) => eventAt(trace, i)), per);
  yield `],"marks":${JSON.stringify(marks)}}`;
}

function* rows<T>(n: number, at: (i: number) => T): Generator<T> {
  for (let i = 0; i < n; i++) yield at(i);
}
