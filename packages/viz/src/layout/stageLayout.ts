import { formatBytes } from "@hbmscope/core";
import { scaleLinear, type ScaleLinear } from "d3-scale";
import { minMaxBuckets } from "../downsample.js";
import { byteTicks } from "../formatBytes.js";
import { SERIES_COLORS } from "../palette.js";
import { withSubtitle, type ChartFrame } from "./chartFrame.js";

/** One row of a stage chart: a pipeline stage's live bytes over time. */
export interface StageRow {
  /** Drawn at the left of the row (`stage 0`). */
  label: string;
  /** Rows of one group (a schedule) share a colour and a heading (`1f1b`). @defaultValue `""` */
  group?: string;
  /** Time of each point (any unit, shared by every row: the pipeline's clock). Increasing. */
  times: ArrayLike<number>;
  /** Live bytes after each point. */
  bytes: ArrayLike<number>;
}

export interface StageChartOptions {
  /** @defaultValue `"Memory per pipeline stage"` */
  title?: string;
  /** The setup the chart shows, drawn under the title and leading `<desc>`. @defaultValue `""` */
  subtitle?: string;
  /** Width in pixels. @defaultValue 800 */
  width?: number;
  /** Height of one row in pixels. @defaultValue 56 */
  rowHeight?: number;
  /** Label of the shared time axis. @defaultValue `"time (forward passes)"` */
  xLabel?: string;
  /** A capacity (bytes) drawn as a dashed line in every row. */
  capacity?: number;
}

export interface StageLayout extends ChartFrame {
  x: ScaleLinear<number, number>;
  xLabel: string;
  xTicks: { value: number; label: string }[];
  /** Bytes of the top of every row (shared, so rows compare). */
  yMax: number;
  /** Grid lines drawn in every row (round sizes below `yMax`). */
  yTicks: { value: number; label: string }[];
  rows: {
    label: string;
    group: string;
    /** Heading of the group drawn above this row (its first), else `""`. */
    heading: string;
    color: string;
    /** Pixel band of the row. */
    top: number;
    bottom: number;
    /** Points to draw [time, bytes] (per-pixel min/max, so the peak is kept). */
    points: [number, number][];
    peak: { t: number; bytes: number; label: string };
  }[];
  capacity: { bytes: number; label: string } | null;
}

const HEADING = 16;

/**
 * The layout of a stage chart: one row per pipeline stage (grouped per schedule), stacked on one
 * shared time axis and one shared byte scale, each row's peak marked and labelled.
 */
export function stageLayout(rows: readonly StageRow[], options: StageChartOptions = {}): StageLayout {
  if (!Array.isArray(rows as unknown) || rows.length === 0) throw new Error("stageChart: expected a non-empty array of rows ({ label, times, bytes })");
  rows.forEach((r, i) => {
    if (r.times?.length !== r.bytes?.length || r.times.length === 0) throw new Error(`stageChart: rows[${i}] needs times and bytes of the same non-zero length`);
  });
  if (options.capacity !== undefined && !(Number.isFinite(options.capacity) && options.capacity > 0)) {
    throw new Error(`stageChart: capacity must be a number of bytes > 0, got ${String(options.capacity)}`);
  }
  const width = options.width ?? 800;
  const rowHeight = options.rowHeight ?? 56;
  const title = options.title ?? "Memory per pipeline stage";
  const groups = [...new Set(rows.map((r) => r.group ?? ""))];
  const headings = groups.filter((g) => g !== "").length;
  const left = 150;
  const right = width - 16;
  const subtitle = options.subtitle ?? "";
  const top = subtitle ? 58 : 40;
  let tEnd = 0;
  let tStart = Infinity;
  let vMax = 0;
  for (const r of rows) {
    tStart = Math.min(tStart, r.times[0]);
    tEnd = Math.max(tEnd, r.times[r.times.length - 1]);
    for (let i = 0; i < r.bytes.length; i++) vMax = Math.max(vMax, r.bytes[i]);
  }
  // Every row shares the scale up to the highest peak (or the capacity), with a little headroom;
  // one grid line at the largest round size below it.
  const yMax = Math.max(vMax, options.capacity ?? 0) * 1.08 || 1;
  const yTicks = byteTicks(yMax, 2).filter((t) => t.value > 0 && t.value <= yMax);
  const x = scaleLinear().domain([Math.min(0, tStart), tEnd || 1]).range([left, right]);
  const xTicks = x.ticks(10).map((value) => ({ value, label: `${value}` }));
  let yPos = top;
  let lastGroup: string | undefined;
  const out: StageLayout["rows"] = rows.map((r) => {
    const group = r.group ?? "";
    const heading = group !== lastGroup && group !== "" ? group : "";
    if (group !== lastGroup && group !== "") yPos += HEADING;
    lastGroup = group;
    const rowTop = yPos;
    yPos += rowHeight;
    let peak = 0;
    for (let i = 1; i < r.bytes.length; i++) if (r.bytes[i] > r.bytes[peak]) peak = i;
    const keep = minMaxBuckets(r.bytes, (i) => Math.floor(x(r.times[i])));
    return {
      label: r.label,
      group,
      heading,
      color: SERIES_COLORS[groups.indexOf(group) % SERIES_COLORS.length],
      top: rowTop + 6,
      bottom: rowTop + rowHeight,
      points: Array.from(keep, (i) => [r.times[i], r.bytes[i]] as [number, number]),
      peak: { t: r.times[peak], bytes: r.bytes[peak], label: `peak ${formatBytes(r.bytes[peak])}` },
    };
  });
  const height = yPos + 44;
  const plot = { left, top, right, bottom: yPos };
  const capacity = options.capacity ? { bytes: options.capacity, label: `capacity ${formatBytes(options.capacity)}` } : null;
  const desc =
    `Live bytes of ${rows.length} pipeline stage rows${headings > 0 ? ` in ${headings} schedules` : ""} on a shared time axis; ` +
    out.map((r) => `${r.group ? `${r.group} ` : ""}${r.label}: ${r.peak.label}`).join("; ");
  return { width, height, title, subtitle, desc: withSubtitle(subtitle, desc), plot, x, xLabel: options.xLabel ?? "time (forward passes)", xTicks, yMax, yTicks, rows: out, capacity };
}
