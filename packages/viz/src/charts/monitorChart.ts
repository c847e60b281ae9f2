import type { TraceCounter } from "@hbmscope/core";
import { line } from "d3-shape";
import { bottomAxis, leftAxis, legend, legendTop, titleText } from "../axes.js";
import { escapeXml } from "../escapeXml.js";
import { figure, type Figure } from "../figure.js";
import { CAPACITY_COLOR, monitorLayout, PREDICTED_COLOR, type MonitorChartOptions, type MonitorLayout } from "../layout/monitorLayout.js";
import { num, svgDocument, text, textWidth } from "../svg.js";

export type { MonitorChartOptions } from "../layout/monitorLayout.js";

/**
 * Observed device memory over wall time (`hbmscope monitor`): a line per GPU (or per torch.cuda
 * figure), the capacity and the predicted peak as horizontal lines, the peak marked and labelled.
 * Long runs are drawn through per-pixel min/max buckets, so the peak is never lost.
 */
export function monitorChart(counters: readonly TraceCounter[], options: MonitorChartOptions = {}): Figure {
  const layout = monitorLayout(counters, options);
  return figure(renderMonitor(layout), layout.width, layout.height, layout.title);
}

/** Markup of a monitor layout. */
export function renderMonitor(L: MonitorLayout): string {
  const { plot, x, y } = L;
  const body: string[] = [titleText(L.title, plot.left, L.subtitle, plot.right), legend(L.legend, plot.left, legendTop(L.subtitle), plot.right)];
  body.push(leftAxis(plot, L.yTicks.map((t) => ({ px: y(t.value), label: t.label }))));
  body.push(bottomAxis(plot, L.xTicks.map((t) => ({ px: x(t.value), label: t.label })), "wall time (s)"));
  // Capacity labels sit at the right end; the prediction's at the left, where a run has not yet
  // climbed, so the observed line rarely crosses it.
  const hline = (bytes: number, label: string, color: string, cls: string, dash: string, side: "left" | "right") => {
    const py = num(y(bytes));
    body.push(`<line class="${cls}" x1="${num(plot.left)}" x2="${num(plot.right)}" y1="${py}" y2="${py}" stroke="${color}" stroke-width="1.5" stroke-dasharray="${dash}"/>`);
    body.push(text(side === "right" ? plot.right - 4 : plot.left + 4, y(bytes) - 4, label, { anchor: side === "right" ? "end" : "start", fill: color }));
  };
  for (const c of L.capacities) hline(c.bytes, c.label, CAPACITY_COLOR, "capacity", "6,3", "right");
  if (L.predicted) hline(L.predicted.bytes, L.predicted.label, PREDICTED_COLOR, "predicted", "3,3", "left");
  const stroke = line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1])).digits(1);
  body.push(`<g class="series">`);
  for (const l of L.lines) body.push(`<path class="series" data-key="${escapeXml(l.key)}" d="${stroke(l.points) ?? ""}" fill="none" stroke="${l.color}" stroke-width="1.5"/>`);
  body.push(`</g>`);
  if (L.peak) {
    const px = x(L.peak.t);
    const py = y(L.peak.bytes);
    const w = textWidth(L.peak.label, 11);
    const right = px + 8 + w <= plot.right;
    body.push(`<circle class="peak" cx="${num(px)}" cy="${num(py)}" r="4" fill="#222"/>`);
    body.push(text(right ? px + 8 : Math.max(plot.left + 2, px - 8 - w), Math.max(plot.top + 10, py - 8), L.peak.label, { fill: "#222", weight: "bold" }));
  }
  return svgDocument({ width: L.width, height: L.height, title: L.title, desc: L.desc, body });
}
