import { jsonItemPieces } from "../json/jsonItemPieces.js";
import { bufferAt, bufferCount, eventAt, eventCount } from "./lazyTrace.js";
import type { Trace } from "./trace.js";
import { traceExtras } from "./traceExtras.js";
import { bytesProblem } from "./bytesProblem.js";
import { TraceError } from "./traceError.js";

/**
 * The compact JSON text of `serializeTrace(trace)`, in pieces of about `itemsPerChunk` buffers or
 * events (@defaultValue 20000) each: joined, they are exactly `serializeTrace(trace)`. For traces
 * too large for one string (V8 strings end at about 512 MiB) and for lazy traces (`lazyTrace`),
 * whose arrays this never builds. Write the pieces to a file as they come. A size `parseTrace`
 * would refuse (beyond 2^53 - 1 bytes, not an integer) throws a `TraceError` naming the buffer.
 */
export function* serializeTraceChunks(trace: Trace, options: { itemsPerChunk?: number } = {}): Generator<string> {
  const per = options.itemsPerChunk ?? 20000;
  if (!Number.isSafeInteger(per) || per < 1) throw new RangeError(`serializeTraceChunks: itemsPerChunk must be a positive integer, got ${per}`);
  const { format, version, meta, marks } = trace;
  const head = JSON.stringify({ format, version, meta, ...traceExtras(trace) });
  yield `${head.slice(0, -1)}${head.length > 2 ? "," : ""}"buffers":[`;
  yield* jsonItemPieces(
    rows(bufferCount(trace), (i) => {
      const b = bufferAt(trace, i);
      checkBytes(b.bytes, i);
      return b;
    }),
    per,
  );
  yield `],"events":[`;
  yield* jsonItemPieces(rows(eventCount(trace), (i) => eventAt(trace, i)), per);
  yield `],"marks":${JSON.stringify(marks)}}`;
}

function* rows<T>(n: number, at: (i: number) => T): Generator<T> {
  for (let i = 0; i < n; i++) yield at(i);
}

/** Throws the `TraceError` `parseTrace` would throw for this size of buffer `i`. */
export function checkBytes(bytes: unknown, i: number): void {
  const wrong = bytesProblem(bytes);
  if (wrong !== undefined) throw new TraceError(`buffers[${i}]`, `bytes ${wrong}`);
}
