import { CATEGORIES, eventAt, eventCount, eventPhases, eventTimes, timeline, type Category, type ReplayRun, type Timeline, type Trace, type View } from "@hbmscope/core";
import { scaleLinear, type ScaleLinear } from "d3-scale";
import { format } from "d3-format";
import { minMaxBuckets } from "../downsample.js";
import { defaultXAxis, opSteps } from "../opSteps.js";
import { formatBytes } from "@hbmscope/core";
import { byteTicks } from "../formatBytes.js";
import { CATEGORY_COLORS } from "../palette.js";
import { clipLabel, textWidth } from "../svg.js";
import { legendRows, legendTop, type LegendItem } from "../axes.js";
import { withSubtitle, type ChartFrame } from "./chartFrame.js";

export interface TimelineChartOptions {
  /** The trace the timeline comes from: phase bands, times and labels. Required with a `ReplayRun` input. */
  trace?: Trace;
  /** An allocator replay of the same trace: draws its reserved bytes and shades the gap (free in reserved). */
  run?: ReplayRun;
  /** View to compute when given a trace. @defaultValue the run's view, else `"physical"` */
  view?: View;
  /**
   * Horizontal axis: event index, op call (every op call the same width, see `opSteps`), or the
   * events' `time` (ms). @defaultValue `defaultXAxis(trace)`: `op` for tfjs traces, `time` for
   * imported PyTorch snapshots with times, else `event`
   */
  x?: "event" | "op" | "time";
  /** Width in pixels. @defaultValue 800 */
  width?: number;
  /** Height in pixels. @defaultValue 400 */
  height?: number;
  /** @defaultValue `"Live memory by category (<view> view)"` */
  title?: string;
  /** The setup the chart shows (method, attention, batch, sequence...), drawn under the title and leading the description. @defaultValue none */
  subtitle?: string;
  /** Draw phase bands from the trace's phase marks. @defaultValue true */
  phases?: boolean;
}

/** A series drawn from the baseline up to `top` (bytes) at the drawn events. */
export interface TimelineLayer {
  key: Category | "total";
  label: string;
  color: string;
  /** Cumulative bytes (this layer and every layer below it) at each drawn point. */
  top: Float64Array;
}

export type LegendEntry = LegendItem;

/** Everything `timelineChart` draws, in data units plus the scales that map them to pixels. */
export interface TimelineLayout extends ChartFrame {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  xLabel: string;
  /** What the horizontal axis counts. */
  xMode: "event" | "op" | "time";
  xTicks: { value: number; label: string }[];
  yTicks: { value: number; label: string }[];
  /** Event indices drawn (per-pixel min/max of the total), increasing. */
  indices: Int32Array;
  /** Horizontal position (event index or time) of each drawn point. */
  xs: Float64Array;
  /** Where the last event's value ends (the domain's right end). */
  xEnd: number;
  /** Draw steps (few events) or straight segments between min/max points (many). */
  step: boolean;
  /** Bottom layer first; the last layer's top is the total. */
  layers: TimelineLayer[];
  /** The run's reserved bytes (per-pixel min/max), up to `xEnd`: the OOM event when the replay stopped there. */
  reserved: null | { label: string; indices: Int32Array; xs: Float64Array; values: Float64Array; peak: number; xEnd: number };
  /** Where the replay ran out of memory, if it did. */
  oom: null | { x: number; index: number; label: string };
  /** The device capacity the run replayed with (a horizontal line), if it had one. */
  capacity: null | { bytes: number; label: string };
  /** After an OOM: the rest of the step is drawn faded, what it would have needed; `label` says so. */
  pastOom: null | { from: number; label: string };
  phases: { label: string; from: number; to: number; showLabel: boolean }[];
  peak: { bytes: number; index: number; x: number; phase: string; op: string; label: string };
  legend: LegendEntry[];
}

const isTrace = (v: unknown): v is Trace => (v as Trace)?.format === "hbmscope.trace";
const isRun = (v: unknown): v is ReplayRun => (v as ReplayRun)?.reserved instanceof Float64Array && "allocator" in (v as object);
const isTimeline = (v: unknown): v is Timeline => (v as Timeline)?.total instanceof Float64Array && "peak" in (v as object);

const countFormat = format("~s");

/**
 * The layout of a timeline chart: a pure function of the data. `input` is a `Trace` (its timeline is
 * computed, by category), a `Timeline` from `timeline(trace, { byCategory: true })`, or a
 * `ReplayRun` (then `options.trace` is required).
 */
export function timelineLayout(input: Trace | Timeline | ReplayRun, options: TimelineChartOptions = {}): TimelineLayout {
  const width = options.width ?? 800;
  const height = options.height ?? 400;
  if (!(width >= 200 && height >= 150)) {
    throw new Error(`timelineChart: width and height must be at least 200 x 150 pixels, got ${width} x ${height}`);
  }
  let trace = options.trace;
  let run = options.run;
  let tl: Timeline;
  if (isTrace(input)) {
    trace = input;
    tl = timeline(input, { view: options.view ?? run?.view ?? "physical", byCategory: true });
  } else if (isRun(input)) {
    run = input;
    if (!trace) throw new Error("timelineChart: a ReplayRun needs its trace too: timelineChart(run, { trace })");
    tl = timeline(trace, { view: input.view, byCategory: true });
  } else if (isTimeline(input)) {
    tl = input;
  } else {
    throw new Error("timelineChart: expected a Trace, a Timeline (timeline(trace, { byCategory: true })) or a ReplayRun");
  }
  const n = tl.length;
  if (trace && eventCount(trace) !== n) {
    throw new Error(`timelineChart: the timeline has ${n} events but the trace has ${eventCount(trace)}; pass the trace it was computed from`);
  }
  if (run && run.length > n) throw new Error(`timelineChart: the run has ${run.length} events but the timeline only ${n}`);
  if (run && run.view !== tl.view) {
    throw new Error(
      `timelineChart: the timeline counts the ${tl.view} view but the run replayed the ${run.view} view; use one view for both (replay(trace, allocator, { view: "${tl.view}" }))`,
    );
  }

  const xMode = options.x ?? defaultXAxis(trace);
  let xOf: (i: number) => number = (i) => i;
  let xEnd = Math.max(n, 1);
  let xStart = 0;
  if (xMode === "time") {
    if (!trace) throw new Error('timelineChart: x "time" needs the trace (options.trace) for event times');
    const times = eventTimes(trace);
    if (times === undefined) {
      let i = 0;
      while (Number.isFinite(eventAt(trace, i).time)) i++;
      throw new Error(`timelineChart: x "time" needs a time on every event; events[${i}] has none`);
    }
    xOf = (i) => times[i];
    xStart = n ? times[0] : 0;
    xEnd = n ? Math.max(times[n - 1], xStart + 1e-9) : 1;
  } else if (xMode === "op") {
    if (!trace) throw new Error('timelineChart: x "op" needs the trace (options.trace) for the ops of its events');
    const steps = opSteps(trace);
    xOf = (i) => steps[i];
    xEnd = n ? steps[n - 1] + 1 : 1;
  } else if (xMode !== "event") {
    throw new Error(`timelineChart: unknown x ${JSON.stringify(xMode)}; accepted: event, op, time`);
  }

  const plot = { left: 68, top: 0, right: width - 16, bottom: height - 40 };
  const plotWidth = plot.right - plot.left;
  const column = (i: number) => Math.floor(((xOf(i) - xStart) / (xEnd - xStart)) * plotWidth);
  const indices = minMaxBuckets(tl.total, column);
  const xs = Float64Array.from(indices, xOf);
  const step = n <= plotWidth;

  const layers: TimelineLayer[] = [];
  const present = CATEGORIES.filter((c) => tl.byCategory[c]?.some((v) => v > 0));
  if (present.length > 0) {
    let below = new Float64Array(indices.length);
    for (const c of present) {
      const s = tl.byCategory[c]!;
      const top = Float64Array.from(indices, (i, j) => below[j] + s[i]);
      layers.push({ key: c, label: c, color: CATEGORY_COLORS[c], top });
      below = top;
    }
  } else {
    layers.push({ key: "total", label: "live bytes", color: CATEGORY_COLORS.weight, top: Float64Array.from(indices, (i) => tl.total[i]) });
  }

  let reserved: TimelineLayout["reserved"] = null;
  if (run) {
    const rIdx = minMaxBuckets(run.reserved.subarray(0, run.length), column);
    reserved = {
      label: `reserved (${run.allocator.name}), peak ${formatBytes(run.peaks.reserved.bytes)}`,
      indices: rIdx,
      xs: Float64Array.from(rIdx, xOf),
      values: Float64Array.from(rIdx, (i) => run!.reserved[i]),
      peak: run.peaks.reserved.bytes,
      xEnd: run.oom ? xOf(run.oom.index) : xEnd,
    };
  }

  const legend: LegendEntry[] = layers.map((l) => ({ label: l.label, color: l.color, kind: "area" as const }));
  if (reserved) {
    legend.push({ label: reserved.label, color: "#333333", kind: "line" });
    legend.push({ label: "free in reserved", color: GAP_COLOR, kind: "area" });
  }
  const oom = run?.oom ? { x: xOf(run.oom.index), index: run.oom.index, label: `OOM at event ${run.oom.index}: ${formatBytes(run.oom.requested)} requested` } : null;
  if (oom) legend.push({ label: oom.label, color: OOM_COLOR, kind: "line" });
  const capacity = run && run.capacity !== null && Number.isFinite(run.capacity) ? { bytes: run.capacity, label: `capacity ${formatBytes(run.capacity)}` } : null;
  if (capacity) legend.push({ label: capacity.label, color: CAPACITY_LINE_COLOR, kind: "line" });
  const pastOom = oom && run!.oom!.index < n - 1 ? { from: oom.x, label: `after the OOM: what the step would have needed (peak ${formatBytes(tl.peak.bytes)})` } : null;
  const subtitle = options.subtitle ?? "";
  plot.top = legendTop(subtitle) + 16 * legendRows(legend, plot.left, plot.right);
  const top = Math.max(tl.peak.bytes, reserved?.peak ?? 0, capacity?.bytes ?? 0) * 1.15 || 1024;
  const yTicks = byteTicks(top, Math.max(2, Math.round((plot.bottom - plot.top) / 60)));
  const yMax = Math.max(top, yTicks[yTicks.length - 1].value);
  const x = scaleLinear().domain([xStart, xEnd]).range([plot.left, plot.right]);
  const y = scaleLinear().domain([0, yMax]).range([plot.bottom, plot.top]);
  const xTicks = x.ticks(Math.max(2, Math.round(plotWidth / 90))).map((v) => ({ value: v, label: countFormat(v) }));

  const phases: TimelineLayout["phases"] = [];
  if (trace && (options.phases ?? true) && n > 0) {
    const { names, ofEvent } = eventPhases(trace);
    let start = 0;
    for (let i = 1; i <= n; i++) {
      if (i === n || ofEvent[i] !== ofEvent[start]) {
        const label = names[ofEvent[start]];
        const from = xOf(start);
        const to = i === n ? xEnd : xOf(i);
        phases.push({ label, from, to, showLabel: label !== "" && x(to) - x(from) >= textWidth(label, 11) + 8 });
        start = i;
      }
    }
  }

  const peak = tl.peak;
  const peakParts = [`${oom && peak.index >= oom.index ? "would need " : ""}peak ${formatBytes(peak.bytes)}`];
  if (peak.phase) peakParts.push(peak.phase);
  if (peak.op) peakParts.push(clipLabel(peak.op));
  const title = options.title ?? `Live memory by category (${tl.view} view)`;
  const desc =
    `Stacked area of live bytes by category over ${n} events (${tl.view} view), x axis by ${xMode === "op" ? `op call (${Math.round(xEnd)} calls)` : xMode}. ` +
    (peak.index >= 0 ? `Peak ${formatBytes(peak.bytes)} (${peak.bytes} bytes) after event ${peak.index}${peak.phase ? `, phase ${peak.phase}` : ""}${peak.op ? `, op ${peak.op}` : ""}.` : "No live bytes.") +
    (run ? ` Allocator ${run.allocator.name}: reserved peak ${formatBytes(run.peaks.reserved.bytes)}.` : "") +
    (oom ? ` ${oom.label}.` : "") +
    (capacity ? ` Device ${capacity.label} (${capacity.bytes} bytes).` : "") +
    (pastOom ? ` After the OOM the step is drawn faded: ${pastOom.label}.` : "");
  return {
    width,
    height,
    title,
    subtitle,
    desc: withSubtitle(subtitle, desc),
    plot,
    x,
    y,
    xLabel: xMode === "time" ? "time (ms)" : xMode === "op" ? "op call (a loop's repeated kernels share one)" : "event",
    xMode,
    xTicks,
    yTicks: yTicks.filter((t) => t.value <= yMax),
    indices,
    xs,
    xEnd,
    step,
    layers,
    reserved,
    oom,
    capacity,
    pastOom,
    phases,
    peak: { bytes: peak.bytes, index: peak.index, x: peak.index >= 0 ? xOf(peak.index) : 0, phase: peak.phase, op: peak.op, label: peakParts.join(" · ") },
    legend,
  };
}

/** Colour of the out-of-memory marker. */
export const OOM_COLOR = "#c00000";

/** Colour of the device capacity line. */
export const CAPACITY_LINE_COLOR = "#c00000";

/** Fill of the gap between live bytes and the allocator's reserved bytes. */
export const GAP_COLOR = "#f4c7c3";
