import type { ReplayRun, Trace } from "@hbmscope/core";
import { bottomAxis, leftAxis, legend, legendTop, titleText } from "../axes.js";
import { figure, type Figure } from "../figure.js";
import { FREE_COLOR, segmentLayout, type MapRect, type SegmentChartOptions, type SegmentLayout } from "../layout/segmentLayout.js";
import { num, svgDocument, text } from "../svg.js";

export type { SegmentChartOptions } from "../layout/segmentLayout.js";

/**
 * The allocator's memory map: address against event, blocks coloured by category, free space in
 * segments in grey (where fragmentation lives), the OOM event marked when there is one.
 */
export function segmentChart(run: ReplayRun, trace: Trace, options: SegmentChartOptions = {}): Figure {
  const layout = segmentLayout(run, trace, options);
  return figure(renderSegments(layout), layout.width, layout.height, layout.title);
}

/** Markup of a segment layout. */
export function renderSegments(L: SegmentLayout): string {
  const { plot, x, y } = L;
  const rect = (r: MapRect) => {
    const x0 = x(r.x0);
    const y1 = y(r.y1);
    return `<rect x="${num(x0)}" y="${num(y1)}" width="${num(Math.max(x(r.x1) - x0, 0.5))}" height="${num(Math.max(y(r.y0) - y1, 0.5))}"/>`;
  };
  const body: string[] = [titleText(L.title, plot.left, L.subtitle, plot.right), legend(L.legend, plot.left, legendTop(L.subtitle), plot.right)];
  body.push(leftAxis(plot, L.yTicks.map((t) => ({ px: y(t.value), label: t.label }))));
  body.push(`<g class="segments" fill="${FREE_COLOR}" stroke="#aaa" stroke-width="0.5">`, ...L.segments.map(rect), `</g>`);
  // Blocks big enough to see get a thin white outline so neighbours stay apart; on thin ones the
  // outline would wash the colour out.
  const big = (r: MapRect) => x(r.x1) - x(r.x0) >= 4 && y(r.y0) - y(r.y1) >= 4;
  for (const g of L.blocks) {
    body.push(`<g class="blocks" data-category="${g.category}" fill="${g.color}">`, ...g.rects.filter((r) => !big(r)).map(rect));
    body.push(`<g stroke="#fff" stroke-width="0.5" stroke-opacity="0.7">`, ...g.rects.filter(big).map(rect), `</g>`, `</g>`);
  }
  for (const b of L.breaks) body.push(`<line x1="${num(plot.left)}" x2="${num(plot.right)}" y1="${num(y(b))}" y2="${num(y(b))}" stroke="#666" stroke-dasharray="2,2"/>`);
  if (L.oom) {
    const px = x(L.oom.index);
    body.push(`<line x1="${num(px)}" x2="${num(px)}" y1="${num(plot.top)}" y2="${num(plot.bottom)}" stroke="#c00000" stroke-width="1.5"/>`);
  }
  body.push(bottomAxis(plot, L.xTicks.map((t) => ({ px: x(t.value), label: t.label })), "event"));
  // The axis note starts at the axis, not left of it.
  body.push(text(plot.left, plot.top - 8, L.note, { fill: "#555", max: Math.floor((plot.right - plot.left) / 6.6) }));
  return svgDocument({ width: L.width, height: L.height, title: L.title, desc: L.desc, body });
}
