/// <reference lib="dom" />
import { CATEGORIES, type Trace, type Timeline, type ReplayRun } from "@hbmscope/core";
import { CATEGORY_COLORS, byteTicks, formatBytes } from "@hbmscope/viz";
import type { ScaleLinear } from "d3-scale";
import { BLOCK, blockPeaks, columnPeaks, rangePeak, type Blocks } from "../columnPeaks.js";
import { alignAt, type phaseSpans } from "../phaseAlignment.js";

/** Everything one frame of the timeline draws. */
export interface ChartModel {
  trace: Trace;
  tl: Timeline;
  /** The what-if replay; null until the page has run it (after its first paint). */
  run: ReplayRun | null;
  capacity: number | null;
  phases: ReturnType<typeof phaseSpans>;
  compare?: { tl: Timeline; knots: { b: number[]; a: number[] }; name: string };
  yMax: number;
}

/** Block maxima of a series, computed once per array (see `blockPeaks`). */
const blockCache = new WeakMap<ArrayLike<number>, Blocks>();
function blocksOf(values: Float64Array): Blocks {
  let b = blockCache.get(values);
  if (!b) blockCache.set(values, (b = { peaks: blockPeaks(values, BLOCK), size: BLOCK }));
  return b;
}

export const MARGIN = { left: 72, right: 12, top: 18, bottom: 26 };

/** Per pixel column of the plot, the event it shows (see `columnPeaks`), for hover and drawing. */
export function drawChart(canvas: HTMLCanvasElement, m: ChartModel, x: ScaleLinear<number, number>, cursor: number, detail = true): Int32Array {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const left = MARGIN.left;
  const plotW = Math.max(1, Math.floor(width - MARGIN.left - MARGIN.right));
  const top = detail ? MARGIN.top : 2;
  const bottom = height - (detail ? MARGIN.bottom : 2);
  const y = (v: number) => bottom - (v / (m.yMax || 1)) * (bottom - top);
  const [d0, d1] = x.domain();
  const px = (i: number) => x(i);
  if (detail) {
    // The geometry, for scripts and tests that point at the chart.
    Object.assign(canvas.dataset, { plotLeft: String(left), plotWidth: String(plotW), plotTop: String(top), plotBottom: String(bottom), yMax: String(m.yMax), domain: `${d0},${d1}` });
  }

  // Phases: alternating shades with their names.
  ctx.font = "11px system-ui, sans-serif";
  m.phases.forEach((p, k) => {
    const a = Math.max(left, px(p.first));
    const b = Math.min(left + plotW, px(p.last + 1));
    if (b <= a) return;
    ctx.fillStyle = k % 2 ? "#f4f4f4" : "#fafafa";
    ctx.fillRect(a, top, b - a, bottom - top);
    if (detail && b - a > 40) {
      ctx.fillStyle = "#666";
      ctx.fillText(p.phase, a + 3, top - 5);
    }
  });

  // Live bytes by category, one column per pixel: the column's highest event, stacked.
  const cols = columnPeaks(m.tl.total, d0, d1, plotW, blocksOf(m.tl.total));
  const layers = CATEGORIES.map((c) => m.tl.byCategory[c]);
  const paths = CATEGORIES.map(() => new Path2D());
  for (let c = 0; c < plotW; c++) {
    const i = cols[c];
    if (i < 0) continue;
    let base = 0;
    for (let k = 0; k < layers.length; k++) {
      const layer = layers[k];
      if (!layer) continue;
      const v = layer[i];
      if (v <= 0) continue;
      const y0 = y(base);
      const y1 = y(base + v);
      paths[k].rect(left + c, y1, 1, y0 - y1);
      base += v;
    }
  }
  CATEGORIES.forEach((cat, k) => {
    ctx.fillStyle = CATEGORY_COLORS[cat];
    ctx.fill(paths[k]);
  });

  // The allocator's reserved bytes: the highest per column.
  const run = m.run;
  const reserved = run ? columnPeaks(run.reserved, d0, d1, plotW, blocksOf(run.reserved)) : new Int32Array(0);
  ctx.strokeStyle = "#222";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  let started = false;
  for (let c = 0; c < reserved.length; c++) {
    const i = reserved[c];
    if (i < 0 || !run) continue;
    const yy = y(run.reserved[i]);
    if (!started) ctx.moveTo(left + c, yy), (started = true);
    else ctx.lineTo(left + c + 0.5, yy);
  }
  ctx.stroke();

  // The compared run, aligned by phase: its total as a line.
  if (m.compare) {
    const { tl, knots } = m.compare;
    ctx.strokeStyle = "#b07aa1";
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 2]);
    ctx.beginPath();
    started = false;
    for (let c = 0; c < plotW; c++) {
      const a0 = x.invert(left + c);
      const a1 = x.invert(left + c + 1);
      const b0 = Math.floor(alignAt(knots.a, knots.b, a0));
      const b1 = Math.max(b0 + 1, Math.ceil(alignAt(knots.a, knots.b, a1)));
      const best = rangePeak(tl.total, b0, b1, blocksOf(tl.total));
      if (best < 0) continue;
      const yy = y(tl.total[best]);
      if (!started) ctx.moveTo(left + c, yy), (started = true);
      else ctx.lineTo(left + c + 0.5, yy);
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }

  // Capacity and the OOM event.
  if (m.capacity !== null) {
    ctx.strokeStyle = "#d62728";
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(left, y(m.capacity));
    ctx.lineTo(left + plotW, y(m.capacity));
    ctx.stroke();
    ctx.setLineDash([]);
  }
  /** A line across the plot's height at x (the OOM marker, the cursor). */
  function verticalLine(x: number, color: string, width: number) {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
  }
  if (run?.oom) {
    const xo = px(run.oom.index + 0.5);
    if (xo >= left && xo <= left + plotW) {
      verticalLine(xo, "#d62728", 2);
      if (detail) {
        ctx.fillStyle = "#d62728";
        ctx.fillText("OOM", xo + 3, top + 12);
      }
    }
  }

  if (detail) {
    // The peak, and the cursor.
    const peak = m.tl.peak;
    const xp = px(peak.index + 0.5);
    if (peak.index >= 0 && xp >= left && xp <= left + plotW) {
      ctx.fillStyle = "#000";
      ctx.beginPath();
      ctx.arc(xp, y(peak.bytes), 3.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillText(`peak ${formatBytes(peak.bytes)}`, Math.min(xp + 5, left + plotW - 90), y(peak.bytes) - 4 < top + 10 ? top + 10 : y(peak.bytes) - 4);
    }
    if (cursor >= 0) {
      const xc = px(cursor + 0.5);
      if (xc >= left && xc <= left + plotW) {
        verticalLine(xc, "#555", 1);
      }
    }
    // Axes.
    ctx.fillStyle = "#333";
    ctx.strokeStyle = "#999";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    for (const t of byteTicks(m.yMax, 5)) {
      if (t.value > m.yMax) continue;
      ctx.fillText(t.label, left - 6, y(t.value) + 4);
      ctx.beginPath();
      ctx.moveTo(left - 3, y(t.value));
      ctx.lineTo(left, y(t.value));
      ctx.stroke();
    }
    ctx.textAlign = "center";
    for (const t of x.ticks(8)) {
      if (!Number.isInteger(t)) continue;
      ctx.fillText(String(t), px(t), bottom + 16);
    }
    ctx.textAlign = "start";
    ctx.strokeRect(left, top, plotW, bottom - top);
  }
  return cols;
}
