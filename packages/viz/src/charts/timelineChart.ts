import type { ReplayRun, Timeline, Trace } from "@hbmscope/core";
import { area, curveLinear, curveStepAfter, line } from "d3-shape";
import { bottomAxis, leftAxis, legend, legendTop, titleText } from "../axes.js";
import { figure, type Figure } from "../figure.js";
import { CAPACITY_LINE_COLOR, GAP_COLOR, OOM_COLOR, timelineLayout, type TimelineChartOptions, type TimelineLayout } from "../layout/timelineLayout.js";
import { clipLabel, num, svgDocument, text, textWidth } from "../svg.js";

export type { TimelineChartOptions } from "../layout/timelineLayout.js";

/**
 * Stacked area of live bytes by category over events (or time), with phase bands, the peak marked
 * and labelled (value, phase, op), a legend and binary-unit ticks; given an allocator `ReplayRun`,
 * the reserved line above it and the gap (free in reserved) shaded. Millions of events are drawn
 * through per-pixel min/max buckets: the file stays small and the peak is never lost.
 */
export function timelineChart(input: Trace | Timeline | ReplayRun, options: TimelineChartOptions = {}): Figure {
  const layout = timelineLayout(input, options);
  return figure(renderTimeline(layout), layout.width, layout.height, layout.title);
}

/** Markup of a timeline layout. */
export function renderTimeline(L: TimelineLayout): string {
  const { plot, x, y } = L;
  const body: string[] = [titleText(L.title, plot.left, L.subtitle, plot.right)];
  body.push(legend(L.legend, plot.left, legendTop(L.subtitle), plot.right));

  body.push(`<g class="phases">`);
  L.phases.forEach((p, k) => {
    const x0 = x(p.from);
    const x1 = x(p.to);
    body.push(`<rect x="${num(x0)}" y="${num(plot.top)}" width="${num(Math.max(0, x1 - x0))}" height="${num(plot.bottom - plot.top)}" fill="${k % 2 ? "#ffffff" : "#f3f3f3"}"/>`);
  });
  body.push(`</g>`);
  body.push(leftAxis(plot, L.yTicks.map((t) => ({ px: y(t.value), label: t.label }))));

  const curve = L.step ? curveStepAfter : curveLinear;
  const withEnd = (xs: Float64Array, vs: Float64Array, end = L.xEnd): [number, number][] => {
    const pts: [number, number][] = Array.from(xs, (xv, j) => [x(xv), y(vs[j])]);
    if (pts.length) pts.push([x(end), pts[pts.length - 1][1]]);
    return pts;
  };
  const fill = area<[number, number]>().x((d) => d[0]).y0(plot.bottom).y1((d) => d[1]).curve(curve).digits(1);

  if (L.reserved) {
    const pts = withEnd(L.reserved.xs, L.reserved.values, L.reserved.xEnd);
    body.push(`<path class="gap" d="${fill(pts)}" fill="${GAP_COLOR}"/>`);
  }
  // Layers are painted from the top of the stack down, each from the baseline: the same picture
  // as a stacked area with half the path data.
  body.push(`<g class="layers">`);
  for (let k = L.layers.length - 1; k >= 0; k--) {
    const l = L.layers[k];
    body.push(`<path class="layer" data-key="${l.key}" d="${fill(withEnd(L.xs, l.top))}" fill="${l.color}"/>`);
  }
  body.push(`</g>`);
  if (L.reserved) {
    const stroke = line<[number, number]>().x((d) => d[0]).y((d) => d[1]).curve(curve).digits(1);
    body.push(`<path class="reserved" d="${stroke(withEnd(L.reserved.xs, L.reserved.values, L.reserved.xEnd))}" fill="none" stroke="#333" stroke-width="1.5"/>`);
  }

  L.phases.forEach((p, k) => {
    if (k === 0) return;
    const x0 = num(x(p.from));
    body.push(`<line class="phase-start" x1="${x0}" x2="${x0}" y1="${num(plot.top)}" y2="${num(plot.bottom)}" stroke="#555" stroke-opacity="0.6" stroke-dasharray="3,3"/>`);
  });
  if (L.pastOom) {
    // What the step would have needed after the OOM: the stack goes on, faded behind white.
    const px = x(L.pastOom.from);
    body.push(`<rect class="past-oom" x="${num(px)}" y="${num(plot.top)}" width="${num(Math.max(0, plot.right - px))}" height="${num(plot.bottom - plot.top)}" fill="#fff" fill-opacity="0.65"/>`);
  }
  if (L.capacity) {
    const py = y(L.capacity.bytes);
    body.push(`<line class="capacity" x1="${num(plot.left)}" x2="${num(plot.right)}" y1="${num(py)}" y2="${num(py)}" stroke="${CAPACITY_LINE_COLOR}" stroke-width="1.5" stroke-dasharray="6,3"/>`);
    body.push(text(plot.left + 4, py - 4, L.capacity.label, { fill: CAPACITY_LINE_COLOR, weight: "bold" }));
  }
  if (L.oom) {
    const px = num(x(L.oom.x));
    body.push(`<line class="oom" x1="${px}" x2="${px}" y1="${num(plot.top)}" y2="${num(plot.bottom)}" stroke="${OOM_COLOR}" stroke-width="1.5"/>`);
  }
  if (L.pastOom) {
    const px = x(L.pastOom.from);
    const w = textWidth(clipLabel(L.pastOom.label), 11);
    const lx = px + 6 + w <= plot.right ? px + 6 : Math.max(plot.left + 2, plot.right - w - 2);
    body.push(`<rect x="${num(lx - 2)}" y="${num(plot.bottom - 22)}" width="${num(w + 4)}" height="15" fill="#fff" fill-opacity="0.85"/>`);
    body.push(text(lx, plot.bottom - 11, L.pastOom.label, { fill: "#444", max: Math.floor((plot.right - plot.left) / 6.6) }));
  }
  for (const p of L.phases) {
    if (p.showLabel) body.push(text(x(p.from) + 4, plot.top + 12, p.label, { fill: "#444" }));
  }
  body.push(bottomAxis(plot, L.xTicks.map((t) => ({ px: x(t.value), label: t.label })), L.xLabel));

  if (L.peak.index >= 0) {
    const px = x(L.peak.x);
    const py = y(L.peak.bytes);
    const w = textWidth(clipLabel(L.peak.label), 11);
    const right = px + 8 + w <= plot.right;
    const lx = right ? px + 8 : Math.max(plot.left + 2, px - 8 - w);
    const ly = Math.max(plot.top + 26, py - 8);
    body.push(`<g class="peak">`);
    // A leader from the label to the exact point: a one-event peak is a one-pixel spike, and a
    // marker alone would seem to float beside it.
    const ax = right ? lx - 3 : lx + w + 3;
    const ay = ly - 4;
    if (Math.hypot(ax - px, ay - py) > 6) body.push(`<line class="peak-leader" x1="${num(ax)}" y1="${num(ay)}" x2="${num(px)}" y2="${num(py)}" stroke="#111" stroke-width="1"/>`);
    body.push(`<circle cx="${num(px)}" cy="${num(py)}" r="3" fill="#fff" stroke="#111" stroke-width="1.5"/>`);
    body.push(`<rect x="${num(lx - 3)}" y="${num(ly - 11)}" width="${num(w + 6)}" height="15" fill="#fff" fill-opacity="0.85"/>`);
    body.push(text(lx, ly, L.peak.label, { fill: "#111", weight: "bold" }));
    body.push(`</g>`);
  }
  return svgDocument({ width: L.width, height: L.height, title: L.title, desc: L.desc, body });
}
