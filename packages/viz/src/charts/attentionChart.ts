import { line } from "d3-shape";
import { bottomAxis, leftAxis, legend, legendTop, titleText } from "../axes.js";
import { figure, type Figure } from "../figure.js";
import { attentionLayout, type AttentionChartOptions, type AttentionComparison, type AttentionLayout } from "../layout/attentionLayout.js";
import { num, svgDocument, text } from "../svg.js";

export type { AttentionChartOptions, AttentionComparison, AttentionRow } from "../layout/attentionLayout.js";

/**
 * Peak memory against sequence length for each attention variant (log-log), forward and training
 * step side by side, from `hbmscope compare-attention --json`.
 */
export function attentionChart(comparison: AttentionComparison, options: AttentionChartOptions = {}): Figure {
  const layout = attentionLayout(comparison, options);
  return figure(renderAttention(layout), layout.width, layout.height, layout.title);
}

/** Markup of an attention layout. */
export function renderAttention(L: AttentionLayout): string {
  const body: string[] = [titleText(L.title, L.panels[0].plot.left, L.subtitle, L.width - 16), legend(L.legend, L.panels[0].plot.left, legendTop(L.subtitle), L.width - 16)];
  L.panels.forEach((p, k) => {
    const { plot, x, y } = p;
    body.push(`<g class="panel" data-mode="${p.mode.replace(/[^\w-]/g, "")}">`);
    body.push(text(plot.left, plot.top - 8, p.title, { weight: "bold", fill: "#222" }));
    const yTicks = L.yTicks.map((t) => ({ px: y(t.value), label: k === 0 ? t.label : "" }));
    body.push(leftAxis(plot, yTicks, k === 0 ? L.yLabel : undefined));
    body.push(bottomAxis(plot, L.xTicks.map((t) => ({ px: x(t.value), label: t.label })), "sequence length", true));
    const path = line<{ seq: number; bytes: number }>().x((d) => x(d.seq)).y((d) => y(d.bytes)).digits(2);
    for (const s of p.series) {
      body.push(`<path d="${path(s.points)}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
      for (const q of s.points) body.push(`<circle cx="${num(x(q.seq))}" cy="${num(y(q.bytes))}" r="3.5" fill="${s.color}" stroke="#fff"/>`);
    }
    p.coincide.forEach((c, j) => {
      body.push(text(plot.right - 4, plot.bottom - 8 - 14 * j, c.note, { anchor: "end", fill: "#444", max: Math.floor((plot.right - plot.left) / 6.6) }));
    });
    body.push(`</g>`);
  });
  return svgDocument({ width: L.width, height: L.height, title: L.title, desc: L.desc, body });
}
