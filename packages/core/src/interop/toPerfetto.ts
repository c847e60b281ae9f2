import { eventPhases } from "../timeline/phases.js";
import { eventCount, eventTimes } from "../trace/lazyTrace.js";
import type { ReplayRun } from "../replay/replayRun.js";
import { CATEGORIES, type Trace, type View } from "../trace/trace.js";
import { traceColumns, VIEW_BIT } from "../trace/traceColumns.js";
import { timeline } from "../timeline/timeline.js";
import { snapshotReserved } from "./snapshotReserved.js";

/** One event of the Chrome / Perfetto trace event format (JSON object form). */
export interface TraceEventRecord {
  name: string;
  /** `C` counter, `i` instant, `X` complete slice, `M` metadata. */
  ph: "C" | "i" | "X" | "M";
  /** Microseconds. */
  ts?: number;
  /** Microseconds (slices only). */
  dur?: number;
  pid: number;
  tid?: number;
  /** Instant scope: `g` global. */
  s?: "g" | "p" | "t";
  cat?: string;
  args?: Record<string, number | string>;
}

/** The JSON object ui.perfetto.dev and chrome://tracing open. */
export interface PerfettoTrace {
  traceEvents: TraceEventRecord[];
  displayTimeUnit: "ms" | "ns";
  /** Free-form facts about the export (trace-event format `otherData`). */
  otherData: Record<string, string | number>;
}

export interface ToPerfettoOptions {
  /** Which memory view the counters count. @defaultValue `"physical"` */
  view?: View;
  /** An allocator replay of the same trace: adds `reserved` and `allocated` counters from it. */
  run?: ReplayRun;
  /** Process name shown in the UI. @defaultValue `"hbmscope"` */
  name?: string;
}

const PID = 1;
const PHASE_TID = 1;
const MARK_TID = 2;

/**
 * A trace as Chrome/Perfetto trace-event JSON: one counter track per category (live bytes), a
 * `memory` counter with `live` bytes (and `reserved`, `allocated` from `options.run`, or
 * `reserved` as PyTorch recorded it for imported snapshots), an instant event per mark, and a
 * slice per phase. Timestamps are the events' `time` (ms, written as µs); a trace without times
 * uses the event index as the timestamp in µs (`otherData.clock` says which). Counters are only
 * written when they change, so the output grows with the events, not events × categories.
 */
export function toPerfetto(trace: Trace, options: ToPerfettoOptions = {}): PerfettoTrace {
  const { records, otherData } = perfettoParts(trace, options);
  return { traceEvents: Array.from(records), displayTimeUnit: "ms", otherData };
}

/**
 * What `toPerfetto` writes, with its records made one at a time (for `toPerfettoChunks`): the
 * per-event columns are computed up front, the records only as they are iterated.
 */
export function perfettoParts(trace: Trace, options: ToPerfettoOptions = {}): { records: Iterable<TraceEventRecord>; otherData: PerfettoTrace["otherData"] } {
  const view = options.view ?? "physical";
  const n = eventCount(trace);
  const times = eventTimes(trace);
  const timed = n > 0 && times !== undefined;
  const ts = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) ts[i] = times !== undefined ? Math.round(times[i] * 1000 * 1000) / 1000 : i;
  ts[n] = n === 0 ? 0 : ts[n - 1] + (timed ? 0 : 1);

  const { bytes, category, views, eventBuffer, eventAlloc } = traceColumns(trace);
  const bit = VIEW_BIT[view];
  const present = new Uint8Array(CATEGORIES.length);
  for (let b = 0; b < bytes.length; b++) if (views[b] & bit) present[category[b]] = 1;
  const total = timeline(trace, { view }).total;
  const reserved = options.run ? options.run.reserved : snapshotReserved(trace);
  const allocated = options.run ? options.run.allocated : null;
  const reservedStart = options.run ? 0 : Number((trace.meta.torch as { reservedAtStart?: number } | undefined)?.reservedAtStart ?? 0);
  const replayed = options.run ? Math.max(1, options.run.length) : n;
  const memoryArgs = (i: number) => {
    const a: Record<string, number> = { live: i < 0 ? 0 : total[i] };
    // A replay that ran out of memory stops there: later events keep its last figures.
    if (reserved) a.reserved = i < 0 ? reservedStart : reserved[Math.min(i, replayed - 1)];
    if (allocated) a.allocated = i < 0 ? 0 : allocated[Math.min(i, replayed - 1)];
    return a;
  };
  const phases = eventPhases(trace);

  function* records(): Generator<TraceEventRecord> {
    yield { name: "process_name", ph: "M", pid: PID, args: { name: options.name ?? "hbmscope" } };
    yield { name: "thread_name", ph: "M", pid: PID, tid: PHASE_TID, args: { name: "phases" } };
    yield { name: "thread_name", ph: "M", pid: PID, tid: MARK_TID, args: { name: "marks" } };
    // Counters per category: only the category an event touches changes.
    const live = new Float64Array(CATEGORIES.length);
    for (let c = 0; c < CATEGORIES.length; c++) if (present[c]) yield counter(CATEGORIES[c], ts[0], { bytes: 0 });
    yield counter("memory", ts[0], memoryArgs(-1));
    for (let i = 0; i < n; i++) {
      const b = eventBuffer[i];
      if (views[b] & bit) {
        const c = category[b];
        live[c] += eventAlloc[i] ? bytes[b] : -bytes[b];
        yield counter(CATEGORIES[c], ts[i], { bytes: live[c] });
      }
      yield counter("memory", ts[i], memoryArgs(i));
    }
    for (const m of trace.marks) {
      yield { name: m.label, ph: "i", s: "g", ts: ts[Math.min(Math.max(m.at, 0), n)], pid: PID, tid: MARK_TID, cat: m.kind ?? "mark" };
    }
    // One slice per run of events in the same phase.
    let start = 0;
    for (let i = 1; i <= n; i++) {
      if (i === n || phases.ofEvent[i] !== phases.ofEvent[start]) {
        const name = phases.names[phases.ofEvent[start]];
        if (name) yield { name, ph: "X", ts: ts[start], dur: Math.max(0, ts[i] - ts[start]), pid: PID, tid: PHASE_TID, cat: "phase" };
        start = i;
      }
    }
  }

  return {
    records: { [Symbol.iterator]: records },
    otherData: { source: String(trace.meta.source ?? ""), view, clock: timed ? "trace time" : "event index as microseconds", units: "bytes" },
  };
}

function counter(name: string, ts: number, args: Record<string, number>): TraceEventRecord {
  return { name, ph: "C", ts, pid: PID, args };
}
