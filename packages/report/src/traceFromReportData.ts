import { CATEGORIES, lazyTrace, type Trace, type TraceBuffer } from "@hbmscope/core";
import { decodeReportData, type DecodedReportData } from "./decodeReportData.js";
import type { ReportData } from "./reportData.js";

/**
 * The Trace a `ReportData` holds (decoded here), or a `DecodedReportData` (decoded already, as a
 * report's Web Worker receives it), as a lazy trace over its columns (`lazyTrace`): core's timeline,
 * replays and `liveAt` give the same numbers as on the original trace. Buffers carry `id`, `bytes`,
 * `category`, the string fields the original had (`shape` as an array again), `view: "logical"` and
 * `kernelTemp: true` where they applied; events carry `kind`, `buffer` and `time`.
 */
export function traceFromReportData(data: ReportData | DecodedReportData): Trace {
  const d = data?.format === "hbmscope.report-columns" ? data : decodeReportData(data as ReportData, "traceFromReportData");
  const { columns, ids, times, strings } = d;
  const { bytes, category, views, eventBuffer, eventAlloc } = columns;
  const buffer = (i: number): TraceBuffer => {
    const b: TraceBuffer = { id: ids ? ids[i] : i, bytes: bytes[i], category: CATEGORIES[category[i]] };
    for (const s of strings) {
      const text = s.values[s.index[i]];
      if (text === "") continue;
      if (s.field === "shape") b.shape = text === "[]" ? [] : text.slice(1, -1).split(",").map(Number);
      else b[s.field] = text;
    }
    if (columns.hasLogical && views[i] === 1) b.view = "logical";
    if (views[i] === 4) b.kernelTemp = true;
    return b;
  };
  return lazyTrace(d.meta, d.marks, {
    bufferCount: d.bufferCount,
    eventCount: d.eventCount,
    buffer,
    event: (i) => ({ kind: eventAlloc[i] ? "alloc" : "free", buffer: ids ? ids[eventBuffer[i]] : eventBuffer[i], ...(times ? { time: times[i] } : {}) }),
    hasBufferPhases: strings.some((s) => s.field === "phase"),
    times,
  }, columns);
}
