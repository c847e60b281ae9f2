import { area } from "d3-shape";
import { scaleLinear } from "d3-scale";
import { bottomAxis, titleText } from "../axes.js";
import { escapeXml } from "../escapeXml.js";
import { figure, type Figure } from "../figure.js";
import { stageLayout, type StageChartOptions, type StageLayout, type StageRow } from "../layout/stageLayout.js";
import { num, svgDocument, text, textWidth } from "../svg.js";

export type { StageChartOptions, StageRow } from "../layout/stageLayout.js";

/**
 * Pipeline stages stacked, one row per stage, on one shared time axis and one byte scale: each
 * row is the stage's live bytes over the step (an area), its peak marked and labelled; rows of
 * several schedules are grouped under a heading each (GPipe vs 1F1B vs interleaved in one chart).
 */
export function stageChart(rows: readonly StageRow[], options: StageChartOptions = {}): Figure {
  const layout = stageLayout(rows, options);
  return figure(renderStages(layout), layout.width, layout.height, layout.title);
}

/** Markup of a stage layout. */
export function renderStages(L: StageLayout): string {
  const { plot, x } = L;
  const body: string[] = [titleText(L.title, 16, L.subtitle, L.width - 16)];
  body.push(bottomAxis(plot, L.xTicks.map((t) => ({ px: x(t.value), label: t.label })), L.xLabel, true));
  for (const r of L.rows) {
    const y = scaleLinear().domain([0, L.yMax]).range([r.bottom, r.top]);
    if (r.heading) body.push(text(16, r.top - 10, r.heading, { weight: "bold", fill: "#222" }));
    body.push(`<g class="stage" data-key="${escapeXml(`${r.group}/${r.label}`)}">`);
    body.push(`<line x1="${num(plot.left)}" x2="${num(plot.right)}" y1="${num(r.bottom)}" y2="${num(r.bottom)}" stroke="#000" stroke-opacity="0.15"/>`);
    body.push(text(plot.left - 8, (r.top + r.bottom) / 2, r.label, { anchor: "end", dy: "0.32em", fill: "#333" }));
    for (const t of L.yTicks) {
      body.push(`<line x1="${num(plot.left)}" x2="${num(plot.right)}" y1="${num(y(t.value))}" y2="${num(y(t.value))}" stroke="#000" stroke-opacity="0.08"/>`);
      body.push(text(plot.right - 2, y(t.value) - 3, t.label, { anchor: "end", size: 9, fill: "#999" }));
    }
    const fill = area<[number, number]>().x((d) => x(d[0])).y0(r.bottom).y1((d) => y(d[1])).digits(1);
    body.push(`<path d="${fill(r.points) ?? ""}" fill="${r.color}" fill-opacity="0.75" stroke="${r.color}" stroke-width="0.75"/>`);
    if (L.capacity) {
      const py = num(y(L.capacity.bytes));
      body.push(`<line class="capacity" x1="${num(plot.left)}" x2="${num(plot.right)}" y1="${py}" y2="${py}" stroke="#d62728" stroke-dasharray="6,3"/>`);
    }
    const px = x(r.peak.t);
    const py = y(r.peak.bytes);
    const w = textWidth(r.peak.label, 11);
    body.push(`<circle class="peak" cx="${num(px)}" cy="${num(py)}" r="3" fill="#222"/>`);
    body.push(text(px + 6 + w <= plot.right ? px + 6 : px - 6 - w, Math.max(r.top + 8, py + 3), r.peak.label, { fill: "#222" }));
    body.push(`</g>`);
  }
  if (L.capacity) body.push(text(plot.right, L.subtitle ? 50 : 28, L.capacity.label, { anchor: "end", fill: "#d62728" }));
  return svgDocument({ width: L.width, height: L.height, title: L.title, desc: L.desc, body });
}
