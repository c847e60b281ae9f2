import type { TraceColumns, TraceMark, TraceMeta } from "@hbmscope/core";
import { decodeArray } from "./encodeArray.js";
import { STRING_FIELDS, type ReportData, type StringField } from "./reportData.js";

/**
 * A `ReportData` with its arrays decoded: plain data of typed arrays and strings, so it can be
 * posted to a Web Worker (structured clone copies each array once, no base64 again) and turned into
 * a Trace there by `traceFromReportData`.
 */
export interface DecodedReportData {
  format: "hbmscope.report-columns";
  name: string;
  meta: TraceMeta;
  marks: TraceMark[];
  bufferCount: number;
  eventCount: number;
  columns: TraceColumns;
  /** Buffer ids; absent when every id equals its index. */
  ids?: ArrayLike<number>;
  /** Every event's time (ms), when the report kept them. */
  times?: Float64Array;
  /** Each string field some buffer has: its distinct values and, per buffer, an index into them. */
  strings: { field: StringField; values: string[]; index: ArrayLike<number> }[];
}

/**
 * Decodes the arrays of a `ReportData` (base64, little-endian) once, and checks their lengths
 * against the counts (a one-line error naming the column otherwise).
 * @param caller - the function named in errors. @defaultValue `"decodeReportData"`
 */
export function decodeReportData(data: ReportData, caller = "decodeReportData"): DecodedReportData {
  if (data?.format !== "hbmscope.report-data" || data.version !== 1) {
    throw new Error(`${caller}: expected { format: "hbmscope.report-data", version: 1 }, got ${JSON.stringify({ format: data?.format, version: data?.version })}`);
  }
  const bytes = Float64Array.from(decodeArray(data.bytes));
  const eventBuffer = Int32Array.from(decodeArray(data.eventBuffer));
  const columns: TraceColumns = {
    bytes,
    category: decodeArray(data.category) as Uint8Array,
    views: decodeArray(data.views) as Uint8Array,
    eventBuffer,
    eventAlloc: decodeArray(data.eventAlloc) as Uint8Array,
    hasLogical: data.hasLogical,
    hasKernelTemps: data.hasKernelTemps,
  };
  const lengths: [string, number, number][] = [
    ["bytes", bytes.length, data.bufferCount],
    ["category", columns.category.length, data.bufferCount],
    ["views", columns.views.length, data.bufferCount],
    ["eventBuffer", eventBuffer.length, data.eventCount],
    ["eventAlloc", columns.eventAlloc.length, data.eventCount],
  ];
  for (const [name, got, want] of lengths) {
    if (got !== want) throw new Error(`${caller}: ${name} has ${got} elements, expected ${want}`);
  }
  return {
    format: "hbmscope.report-columns",
    name: data.name,
    meta: data.meta,
    marks: data.marks,
    bufferCount: data.bufferCount,
    eventCount: data.eventCount,
    columns,
    ...(data.ids ? { ids: decodeArray(data.ids) } : {}),
    ...(data.times ? { times: Float64Array.from(decodeArray(data.times)) } : {}),
    strings: STRING_FIELDS.flatMap((field) => {
      const column = data.strings[field];
      return column ? [{ field, values: column.values, index: decodeArray(column.index) }] : [];
    }),
  };
}
