import { bufferCount, eventCount, formatBytes, liveAt, timeline, type ReplayRun, type Timeline, type Trace } from "@hbmscope/core";
import { phaseComparison } from "./phaseComparison.js";

/** The headline figures of a report (sizes in bytes), as the page's `#hbmscope-summary` carries them. */
export interface ReportSummary {
  name: string;
  events: number;
  buffers: number;
  /** Live bytes at the peak (physical view), as `hbmscope inspect --json` gives `peakBytes`. */
  peakBytes: number;
  peakIndex: number;
  peakPhase: string;
  peakOp: string;
  /** Each phase's peak (live bytes, physical view) and the event where it is, in the order phases run. */
  phasePeaks: { phase: string; bytes: number; index: number }[];
  /** The replay, when there is one yet (the page replays after its first paint). */
  replay: {
    /** The allocator replayed (`caching`, `caching+expandable`, ...). */
    allocator: string;
    /** Reserved bytes at the replay's peak, as `hbmscope replay --json` gives `reservedPeak`. */
    reservedBytes: number;
    reservedIndex: number;
    capacity: number | null;
    /** Event index of the allocation that did not fit in the capacity, or -1. */
    oomIndex: number;
  } | null;
  /** The largest buffers live at the peak. */
  top: { id: number; bytes: number; category: string; op: string; scope: string }[];
}

/**
 * The summary of one run: timeline peak (physical view; `tl` when already computed), the replay's
 * reserved peak (when `replay` is given), the largest buffers at the peak (`top`, default 5).
 */
export function reportSummary(trace: Trace, name: string, options: { tl?: Timeline; run?: ReplayRun; allocator?: string; top?: number } = {}): ReportSummary {
  const tl = options.tl?.view === "physical" ? options.tl : timeline(trace, { view: "physical" });
  const run = options.run;
  return {
    name,
    events: eventCount(trace),
    buffers: bufferCount(trace),
    peakBytes: tl.peak.bytes,
    peakIndex: tl.peak.index,
    peakPhase: tl.peak.phase,
    peakOp: tl.peak.op,
    phasePeaks: tl.phasePeaks.map((p) => ({ phase: p.phase, bytes: p.bytes, index: p.index })),
    replay: run
      ? { allocator: options.allocator ?? run.allocator.name, reservedBytes: run.peaks.reserved.bytes, reservedIndex: run.peaks.reserved.index, capacity: run.capacity, oomIndex: run.oom ? run.oom.index : -1 }
      : null,
    top: tl.peak.index < 0 ? [] : liveAt(trace, tl.peak.index, { limit: options.top ?? 5 }).map((b) => ({ id: b.id, bytes: b.bytes, category: b.category, op: b.op ?? "", scope: b.scope ?? "" })),
  };
}

const signed = (d: number) => `${d >= 0 ? "+" : "-"}${formatBytes(Math.abs(d))}`;

/**
 * The summary as plain text, for readers who do not interact (and for the page before its script
 * runs); with `compare`, each phase's peak in both runs and the difference at each.
 */
export function summaryText(s: ReportSummary, compare?: ReportSummary): string {
  const lines = [
    `${s.name}: ${s.events} events, ${s.buffers} buffers`,
    `peak: ${formatBytes(s.peakBytes)} (${s.peakBytes} bytes) live at event ${s.peakIndex}, phase ${s.peakPhase || "-"}, op ${s.peakOp || "-"}`,
    s.replay
      ? `reserved (${s.replay.allocator} allocator): ${formatBytes(s.replay.reservedBytes)} (${s.replay.reservedBytes} bytes) at event ${s.replay.reservedIndex}` +
        (s.replay.capacity !== null ? `; capacity ${formatBytes(s.replay.capacity)}` : "") +
        (s.replay.oomIndex >= 0 ? `; OUT OF MEMORY at event ${s.replay.oomIndex}` : "")
      : "reserved: replayed by the page's script (open the report in a browser)",
    "largest buffers at the peak:",
    ...s.top.map((b, i) => `  ${i + 1}. #${b.id} ${formatBytes(b.bytes)} ${b.category}${b.op ? ` ${b.op}` : ""}${b.scope ? ` (${b.scope})` : ""}`),
  ];
  if (compare) {
    const d = compare.peakBytes - s.peakBytes;
    lines.push(
      `compare ${compare.name}: peak ${formatBytes(compare.peakBytes)} (${compare.peakBytes} bytes) at event ${compare.peakIndex}, phase ${compare.peakPhase || "-"}`,
      `peak difference (${compare.name} - ${s.name}): ${d >= 0 ? "+" : "-"}${formatBytes(Math.abs(d))} (${d >= 0 ? "+" : ""}${s.peakBytes > 0 ? ((100 * d) / s.peakBytes).toFixed(1) : "0"}%)`,
      `peak by phase (${s.name} | ${compare.name} | difference):`,
      ...phaseComparison(s, compare)
        .filter((r) => r.phase !== "")
        .map((r) => `  ${r.phase}: ${r.a === null ? "-" : formatBytes(r.a)} | ${r.b === null ? "-" : formatBytes(r.b)} | ${r.difference === null ? "-" : signed(r.difference)}`),
    );
  }
  return lines.join("\n");
}
