import { CATEGORIES, lazyTrace, type Trace, type TraceBuffer, type TraceColumns } from "@hbmscope/core";
import { decodeArray } from "./encodeArray.js";
import { STRING_FIELDS, type ReportData } from "./reportData.js";

/**
 * The Trace a `ReportData` holds, as a lazy trace over its columns (`lazyTrace`): core's timeline,
 * replays and `liveAt` give the same numbers as on the original trace. Buffers carry `id`, `bytes`,
 * `category`, the string fields the original had (`shape` as an array again), `view: "logical"` and
 * `kernelTemp: true` where they applied; events carry `kind`, `buffer` and `time`.
 */
export function traceFromReportData(data: ReportData): Trace {
  if (data?.format !== "hbmscope.report-data" || data.version !== 1) {
    throw new Error(`traceFromReportData: expected { format: "hbmscope.report-data", version: 1 }, got ${JSON.stringify({ format: data?.format, version: data?.version })}`);
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
    if (got !== want) throw new Error(`traceFromReportData: ${name} has ${got} elements, expected ${want}`);
  }
  const ids = data.ids ? decodeArray(data.ids) : undefined;
  const times = data.times ? Float64Array.from(decodeArray(data.times)) : undefined;
  const strings = STRING_FIELDS.flatMap((field) => {
    const column = data.strings[field];
    return column ? [{ field, values: column.values, index: decodeArray(column.index) }] : [];
  });
  const { category, views } = columns;
  const buffer = (i: number): TraceBuffer => {
    const b: TraceBuffer = { id: ids ? ids[i] : i, bytes: bytes[i], category: CATEGORIES[category[i]] };
    for (const s of strings) {
      const text = s.values[s.index[i]];
      if (text === "") continue;
      if (s.field === "shape") b.shape = text === "[]" ? [] : text.slice(1, -1).split(",").map(Number);
      else b[s.field] = text;
    }
    if (data.hasLogical && views[i] === 1) b.view = "logical";
    if (views[i] === 4) b.kernelTemp = true;
    return b;
  };
  return lazyTrace(data.meta, data.marks, {
    bufferCount: data.bufferCount,
    eventCount: data.eventCount,
    buffer,
    event: (i) => ({ kind: columns.eventAlloc[i] ? "alloc" : "free", buffer: ids ? ids[eventBuffer[i]] : eventBuffer[i], ...(times ? { time: times[i] } : {}) }),
    hasBufferPhases: strings.some((s) => s.field === "phase"),
    times,
  }, columns);
}
