import { bufferAt, bufferCount, eventCount, eventTimes, traceColumns, type Trace, type TraceMark, type TraceMeta } from "@hbmscope/core";
import { encodeArray, type EncodedArray } from "./encodeArray.js";

/** A string per buffer as a table of distinct values and an index into it per buffer. */
export interface StringColumn {
  values: string[];
  index: EncodedArray;
}

/** The string fields of buffers the report keeps (`shape` as text, `[2,3]`). */
export const STRING_FIELDS = ["op", "scope", "phase", "dtype", "site", "name", "shape"] as const;
export type StringField = (typeof STRING_FIELDS)[number];

/**
 * One trace as the report embeds it: the columns of `traceColumns` and the buffers' strings as
 * encoded arrays, with the marks and a trimmed meta; never the trace JSON (about 3-5 bytes an event
 * instead of about 70). `traceFromReportData` turns it back into a Trace that core reads exactly as
 * it reads the original (same timeline, same replays).
 */
export interface ReportData {
  format: "hbmscope.report-data";
  version: 1;
  /** A label for the run (the file name). */
  name: string;
  meta: TraceMeta;
  marks: TraceMark[];
  bufferCount: number;
  eventCount: number;
  /** Buffer ids; absent when every id equals its index. */
  ids?: EncodedArray;
  bytes: EncodedArray;
  category: EncodedArray;
  views: EncodedArray;
  eventBuffer: EncodedArray;
  eventAlloc: EncodedArray;
  /** Every event's time (ms), when every event has one. */
  times?: EncodedArray;
  hasLogical: boolean;
  hasKernelTemps: boolean;
  /** String fields that some buffer has. */
  strings: Partial<Record<StringField, StringColumn>>;
}

/**
 * The compact, columnar form of a trace for the HTML report (see `ReportData`). `meta.torch` keeps
 * only `allocatorSettings` (what a replay of a snapshot needs), not the snapshot's segment dump.
 * @param name - label of the run. @defaultValue `"trace"`
 * @param options.times - keep event times (8 bytes an event: the largest column; the page does not
 *   use them). @defaultValue `true`
 */
export function reportData(trace: Trace, name = "trace", options: { times?: boolean } = {}): ReportData {
  const columns = traceColumns(trace);
  const nb = bufferCount(trace);
  const ids = new Float64Array(nb);
  let dense = true;
  const tables = STRING_FIELDS.map(() => ({ values: [""], of: new Map<string, number>([["", 0]]), index: new Uint32Array(nb) }));
  for (let i = 0; i < nb; i++) {
    const b = bufferAt(trace, i);
    ids[i] = b.id;
    if (b.id !== i) dense = false;
    STRING_FIELDS.forEach((field, f) => {
      const raw = field === "shape" ? (Array.isArray(b.shape) ? `[${b.shape.join(",")}]` : "") : b[field];
      const text = typeof raw === "string" ? raw : "";
      const t = tables[f];
      let k = t.of.get(text);
      if (k === undefined) {
        k = t.values.length;
        t.values.push(text);
        t.of.set(text, k);
      }
      t.index[i] = k;
    });
  }
  const strings: ReportData["strings"] = {};
  STRING_FIELDS.forEach((field, f) => {
    const t = tables[f];
    if (t.values.length > 1) strings[field] = { values: t.values, index: encodeArray(t.index) };
  });
  const times = options.times === false ? undefined : eventTimes(trace);
  const torch = trace.meta.torch as { allocatorSettings?: unknown } | undefined;
  const { torch: _dropped, ...meta } = trace.meta;
  return {
    format: "hbmscope.report-data",
    version: 1,
    name,
    meta: torch === undefined ? meta : { ...meta, torch: { allocatorSettings: torch.allocatorSettings } },
    marks: trace.marks,
    bufferCount: nb,
    eventCount: eventCount(trace),
    ...(dense ? {} : { ids: encodeArray(ids) }),
    bytes: encodeArray(columns.bytes),
    category: encodeArray(columns.category, "u8"),
    views: encodeArray(columns.views, "u8"),
    eventBuffer: encodeArray(columns.eventBuffer),
    eventAlloc: encodeArray(columns.eventAlloc, "u8"),
    ...(times === undefined || times.length === 0 ? {} : { times: encodeArray(times) }),
    hasLogical: columns.hasLogical,
    hasKernelTemps: columns.hasKernelTemps,
    strings,
  };
}
