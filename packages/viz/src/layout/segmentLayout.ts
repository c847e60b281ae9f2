import { CATEGORIES, traceColumns, type Category, type ReplayRun, type Trace } from "@hbmscope/core";
import { scaleLinear, type ScaleLinear } from "d3-scale";
import { format } from "d3-format";
import { formatBytes } from "@hbmscope/core";
import { byteTicks } from "../formatBytes.js";
import { CATEGORY_COLORS } from "../palette.js";
import { legendRows, legendTop, type LegendItem } from "../axes.js";
import { withSubtitle, type ChartFrame } from "./chartFrame.js";

export interface SegmentChartOptions {
  /** Width in pixels. @defaultValue 800 */
  width?: number;
  /** Height in pixels. @defaultValue 400 */
  height?: number;
  /** @defaultValue `"Allocator memory map (<allocator>)"` */
  title?: string;
  /** The setup the chart shows (method, attention, batch, sequence...), drawn under the title and leading the description. @defaultValue none */
  subtitle?: string;
  /**
   * Most blocks drawn; beyond it the blocks with the largest area on screen are kept and the rest
   * counted in the description (a million tiny rectangles would make a file nobody can open).
   * @defaultValue 5000
   */
  maxBlocks?: number;
}

/** A rectangle in data units: events [x0, x1) by packed addresses [y0, y1) (bytes). */
export interface MapRect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface SegmentLayout extends ChartFrame {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  xTicks: { value: number; label: string }[];
  yTicks: { value: number; label: string }[];
  /** Reserved segments (free space shows as their background); runs of segments thinner than a pixel are merged into one rectangle each. */
  segments: MapRect[];
  /** How many segments were thinner than a pixel, and how many rectangles they were grouped into. */
  grouped: { segments: number; groups: number };
  /** The note under the title that says how the address axis is drawn (and what was grouped). */
  note: string;
  /** Live blocks by category. */
  blocks: { category: Category; color: string; rects: MapRect[] }[];
  /** Blocks left out by `maxBlocks`. */
  omitted: number;
  /** Where separate address ranges meet once packed (bytes). */
  breaks: number[];
  oom: null | { index: number; label: string };
  legend: LegendItem[];
}

/** Colour of reserved but free space inside a segment. */
export const FREE_COLOR = "#e8e8e8";

const countFormat = format("~s");

/**
 * The layout of an allocator's memory map: address (vertical) against event (horizontal). Segments
 * are packed one above the other in address order (gaps between separate address ranges removed),
 * so every reserved byte is on screen; blocks are coloured by their buffer's category.
 */
export function segmentLayout(run: ReplayRun, trace: Trace, options: SegmentChartOptions = {}): SegmentLayout {
  const width = options.width ?? 800;
  const height = options.height ?? 400;
  const maxBlocks = options.maxBlocks ?? 5000;
  if (!(width >= 200 && height >= 150)) throw new Error(`segmentChart: width and height must be at least 200 x 150 pixels, got ${width} x ${height}`);
  if (!run || !(run.address instanceof Float64Array) || !Array.isArray(run.segments)) {
    throw new Error("segmentChart: expected a ReplayRun (replay(trace, allocator)) as the first argument");
  }
  const { category, eventBuffer } = traceColumns(trace);
  if (run.address.length !== category.length) {
    throw new Error(`segmentChart: the run places ${run.address.length} buffers but the trace has ${category.length}; pass the trace it replayed`);
  }
  const n = Math.min(run.length, eventBuffer.length);
  if (run.segments.length === 0) {
    throw new Error(`segmentChart: the ${run.allocator.name} allocator places no blocks (no segments, no addresses); replay with caching, bfc or planned`);
  }

  // Pack the address space: merge overlapping segment ranges, stack the ranges without gaps.
  const ranges = run.segments.map((s) => [s.address, s.address + s.bytes]).sort((a, b) => a[0] - b[0]);
  const merged: { start: number; end: number; packed: number }[] = [];
  let packedEnd = 0;
  for (const [s, e] of ranges) {
    const last = merged[merged.length - 1];
    if (last && s <= last.end) {
      if (e > last.end) {
        packedEnd += e - last.end;
        last.end = e;
      }
    } else {
      merged.push({ start: s, end: e, packed: packedEnd });
      packedEnd += e - s;
    }
  }
  const packed = (address: number): number => {
    let lo = 0;
    let hi = merged.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (merged[mid].start <= address) lo = mid;
      else hi = mid - 1;
    }
    const r = merged[lo];
    return r ? r.packed + (address - r.start) : address;
  };

  const { allocAt, freeAt } = run;
  const present = new Set<Category>();
  const all: { c: number; r: MapRect }[] = [];
  for (let b = 0; b < category.length; b++) {
    const a = run.address[b];
    if (a < 0 || allocAt[b] < 0 || !(run.blockBytes[b] > 0)) continue;
    const y0 = packed(a);
    all.push({ c: category[b], r: { x0: allocAt[b], x1: freeAt[b] >= 0 && freeAt[b] < n ? freeAt[b] : n, y0, y1: y0 + run.blockBytes[b] } });
  }
  const xSpan = Math.max(n, 1);
  const ySpan = Math.max(packedEnd, 1);
  let kept = all;
  if (all.length > maxBlocks) {
    const area = (r: MapRect) => ((r.x1 - r.x0) / xSpan) * ((r.y1 - r.y0) / ySpan);
    kept = all
      .map((d, k) => ({ d, k, a: area(d.r) }))
      .sort((p, q) => q.a - p.a || p.k - q.k)
      .slice(0, maxBlocks)
      .sort((p, q) => p.k - q.k)
      .map((p) => p.d);
  }
  const byCat = new Map<number, MapRect[]>();
  for (const { c, r } of kept) {
    if (!byCat.has(c)) byCat.set(c, []);
    byCat.get(c)!.push(r);
    present.add(CATEGORIES[c]);
  }
  const blocks = CATEGORIES.map((cat, c) => ({ category: cat, color: CATEGORY_COLORS[cat], rects: byCat.get(c) ?? [] })).filter((g) => g.rects.length > 0);

  const allSegments = run.segments.map((s) => {
    const y0 = packed(s.address);
    return { x0: Math.min(s.reservedAt, n), x1: s.releasedAt >= 0 ? Math.min(s.releasedAt, n) : n, y0, y1: y0 + s.bytes };
  });

  const legend: LegendItem[] = blocks.map((g) => ({ label: g.category, color: g.color, kind: "area" as const }));
  legend.push({ label: "free in segment", color: FREE_COLOR, kind: "area" });
  const oom = run.oom ? { index: run.oom.index, label: `OOM: ${formatBytes(run.oom.requested)} requested` } : null;
  if (oom) legend.push({ label: oom.label, color: "#c00000", kind: "line" });

  const plot = { left: 68, top: 0, right: width - 16, bottom: height - 40 };
  const subtitle = options.subtitle ?? "";
  plot.top = legendTop(subtitle) + 16 * legendRows(legend, plot.left, plot.right) + 16;
  const x = scaleLinear().domain([0, xSpan]).range([plot.left, plot.right]);
  const yTicks = byteTicks(ySpan, Math.max(2, Math.round((plot.bottom - plot.top) / 60)));
  const y = scaleLinear().domain([0, Math.max(ySpan, yTicks[yTicks.length - 1].value)]).range([plot.bottom, plot.top]);
  // Segments thinner than a pixel would draw as dense hairlines: runs of them (in address order)
  // become one rectangle, at least a pixel tall, spanning their addresses and lifetimes.
  const bytesPerPixel = y.domain()[1] / Math.max(1, plot.bottom - plot.top);
  const segments: MapRect[] = [];
  const grouped = { segments: 0, groups: 0 };
  let group: MapRect | null = null;
  for (const r of [...allSegments].sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0)) {
    if (r.y1 - r.y0 >= bytesPerPixel) {
      if (group) segments.push(group);
      group = null;
      segments.push(r);
      continue;
    }
    grouped.segments++;
    if (group && r.y0 <= group.y1 + bytesPerPixel && group.y1 - group.y0 < bytesPerPixel) {
      group = { x0: Math.min(group.x0, r.x0), x1: Math.max(group.x1, r.x1), y0: group.y0, y1: Math.max(group.y1, r.y1) };
    } else {
      if (group) segments.push(group);
      group = { ...r };
      grouped.groups++;
    }
  }
  if (group) segments.push(group);
  if (grouped.segments === 0) grouped.groups = 0;
  const note =
    "address (segments packed, bottom up)" +
    (grouped.segments > 0 ? `; ${grouped.segments} segments thinner than a pixel drawn as ${grouped.groups} group${grouped.groups === 1 ? "" : "s"}` : "");
  const title = options.title ?? `Allocator memory map (${run.allocator.name})`;
  const omitted = all.length - kept.length;
  const desc =
    `Memory map of the ${run.allocator.name} allocator over ${n} events: ${run.segments.length} segments, ${formatBytes(packedEnd)} reserved in all, ` +
    `peak reserved ${formatBytes(run.peaks.reserved.bytes)}, peak allocated ${formatBytes(run.peaks.allocated.bytes)}. ` +
    `Blocks coloured by category; grey is free space inside segments.` +
    (omitted > 0 ? ` ${omitted} of ${all.length} blocks too small to see are left out.` : "") +
    (grouped.segments > 0 ? ` ${grouped.segments} segments thinner than a pixel are drawn as ${grouped.groups} grouped rectangles.` : "") +
    (oom ? ` ${oom.label} at event ${oom.index}.` : "");
  return {
    width,
    height,
    title,
    subtitle,
    desc: withSubtitle(subtitle, desc),
    plot,
    x,
    y,
    xTicks: x.ticks(Math.max(2, Math.round((plot.right - plot.left) / 90))).map((v) => ({ value: v, label: countFormat(v) })),
    yTicks: yTicks.filter((t) => t.value <= y.domain()[1]),
    segments,
    grouped,
    note,
    blocks,
    omitted,
    breaks: merged.slice(1).map((r) => r.packed),
    oom,
    legend,
  };
}
