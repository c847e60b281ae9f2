import type { Trace } from "../trace/trace.js";
import { jsonItemPieces } from "../json/jsonItemPieces.js";
import { perfettoParts, type ToPerfettoOptions } from "./toPerfetto.js";

/**
 * The JSON text of `toPerfetto(trace, options)`, in pieces of about `recordsPerChunk` records
 * (@defaultValue 20000): joined, they are exactly `JSON.stringify(toPerfetto(trace, options))`.
 * The records are made as the pieces are asked for, so a trace of tens of millions of events (a
 * 1 GB snapshot) is written without holding its records or one string of them (V8 strings end at
 * about 512 MiB). The generator returns the number of records written.
 */
export function* toPerfettoChunks(trace: Trace, options: ToPerfettoOptions & { recordsPerChunk?: number } = {}): Generator<string, number> {
  const per = options.recordsPerChunk ?? 20000;
  if (!Number.isSafeInteger(per) || per < 1) throw new RangeError(`toPerfettoChunks: recordsPerChunk must be a positive integer, got ${per}`);
  const { records, otherData } = perfettoParts(trace, options);
  yield `{"traceEvents":[`;
  const count = yield* jsonItemPieces(records, per);
  yield `],"displayTimeUnit":"ms","otherData":${JSON.stringify(otherData)}}`;
  return count;
}
