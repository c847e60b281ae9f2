import { bufferCount, counterPeak, eventCount, CATEGORIES, liveAt, timeline, traceColumns, type Trace, type View } from "@hbmscope/core";
import type { Command } from "commander";
import { intArg } from "../args.js";
import { viewOption } from "../options.js";
import { formatBytes } from "@hbmscope/core";
import type { Io } from "../io.js";
import { readTraceFile } from "../readTraceFile.js";
import { readProgress } from "../progress.js";
import { sayImportWarnings } from "../sayImportWarnings.js";
import { table } from "../table.js";

/** What `hbmscope inspect --json` prints. Sizes in bytes. */
export function inspectReport(trace: Trace, view: View = "physical", top = 10) {
  const tl = timeline(trace, { view });
  const { hasLogical, hasKernelTemps } = traceColumns(trace);
  // Views the trace does not carry equal the physical one: no need to count them again.
  const carried = (v: View) => (v === "logical" ? hasLogical : v === "backend" ? hasKernelTemps : true);
  const peaks: Partial<Record<View, number>> = {};
  const physical = view === "physical" ? tl.peak.bytes : timeline(trace, { view: "physical" }).peak.bytes;
  for (const v of ["logical", "physical", "backend"] as const) {
    peaks[v] = v === view ? tl.peak.bytes : carried(v) ? timeline(trace, { view: v }).peak.bytes : physical;
  }
  return {
    view,
    events: eventCount(trace),
    buffers: bufferCount(trace),
    peakBytes: tl.peak.bytes,
    peakIndex: tl.peak.index,
    peakPhase: tl.peak.phase,
    peakOp: tl.peak.op,
    peakScope: tl.peak.scope,
    peaks,
    byCategoryAtPeak: tl.byCategoryAtPeak,
    largestAtPeak: liveAt(trace, tl.peak.index, { view, limit: top }).map((b) => ({
      id: b.id,
      bytes: b.bytes,
      category: b.category,
      op: b.op ?? "",
      scope: b.scope ?? "",
      phase: b.phase ?? "",
      dtype: b.dtype ?? "",
      shape: b.shape ?? [],
    })),
    phasePeaks: tl.phasePeaks,
    endBytes: tl.end,
    /** Sampled series (`hbmscope monitor`): each one's peak (bytes, ms from the start). */
    counters: (trace.counters ?? []).map((c) => {
      const p = counterPeak(c);
      return { device: c.device, name: c.name, capacity: c.capacity ?? null, samples: c.samples.length, peakBytes: p.bytes, peakTime: p.time };
    }),
    meta: trace.meta,
  };
}

export function registerInspect(program: Command, io: Io) {
  program
    .command("inspect")
    .description("peak, phase and op at the peak, breakdown and largest live buffers at the peak, per-phase peaks")
    .argument("<trace.json>", "a trace file (hbmscope.trace version 1)")
    .addOption(viewOption())
    .option("--top <n>", "how many of the largest live buffers to list", intArg("--top", 1, 2 ** 20), 10)
    .option("--json", "print one JSON object (sizes in bytes)")
    .action((file: string, opts: { view: View; top: number; json?: boolean }) => {
      const trace = readTraceFile(file, io.cwd, { onRead: readProgress(io, file) });
      sayImportWarnings(trace, file, io);
      const report = inspectReport(trace, opts.view, opts.top);
      if (opts.json) return io.stdout(JSON.stringify(report) + "\n");
      io.stdout(renderInspect(file, report));
    });
}

function renderInspect(file: string, r: ReturnType<typeof inspectReport>): string {
  const lines = [
    `${file}: ${r.events} events, ${r.buffers} buffers${r.meta.source ? ` (source: ${r.meta.source})` : ""}`,
    `peak (${r.view}): ${formatBytes(r.peakBytes)} at event ${r.peakIndex}, phase ${r.peakPhase || "-"}, op ${r.peakOp || "-"}${r.peakScope ? `, scope ${r.peakScope}` : ""}`,
    `peaks by view: ${Object.entries(r.peaks).map(([v, b]) => `${v} ${formatBytes(b!)}`).join(", ")}`,
    "",
    "breakdown at peak:",
    table([
      ["category", "bytes", "share"],
      ...CATEGORIES.filter((c) => r.byCategoryAtPeak[c] > 0).map((c) => [
        c,
        formatBytes(r.byCategoryAtPeak[c]),
        `${((100 * r.byCategoryAtPeak[c]) / (r.peakBytes || 1)).toFixed(1)}%`,
      ]),
    ]),
    `largest live buffers at peak:`,
    table([
      ["id", "bytes", "category", "op", "scope", "shape"],
      ...r.largestAtPeak.map((b) => [String(b.id), formatBytes(b.bytes), b.category, b.op, b.scope, b.shape.length ? `[${b.shape.join(",")}]` : ""]),
    ]),
    "peak per phase:",
    table([["phase", "peak", "event"], ...r.phasePeaks.map((p) => [p.phase || "-", formatBytes(p.bytes), p.index])]),
  ];
  if (r.counters.length) {
    lines.push(
      "sampled series (monitor):",
      table([
        ["GPU", "series", "samples", "peak", "at", "capacity"],
        ...r.counters.map((c) => [c.device, c.name, c.samples, formatBytes(c.peakBytes), `${(c.peakTime / 1000).toFixed(1)} s`, c.capacity === null ? "-" : formatBytes(c.capacity)]),
      ]),
    );
  }
  return lines.join("\n");
}

