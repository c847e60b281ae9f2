import { bottomAxis, legend, legendTop, titleText } from "../axes.js";
import { figure, type Figure } from "../figure.js";
import { breakdownLayout, type BreakdownChartOptions, type BreakdownLayout, type BreakdownScenario } from "../layout/breakdownLayout.js";
import { textColorOn } from "../palette.js";
import { num, svgDocument, text, textWidth } from "../svg.js";

export type { BreakdownChartOptions, BreakdownScenario, GpuTier } from "../layout/breakdownLayout.js";

/**
 * Stacked horizontal bars, one per scenario (full / LoRA / QLoRA, ...), with vertical lines at GPU
 * memory tiers (16, 24, 40, 80 GB by default): which card a configuration fits on, at a glance.
 */
export function breakdownChart(scenarios: readonly BreakdownScenario[], options: BreakdownChartOptions = {}): Figure {
  const layout = breakdownLayout(scenarios, options);
  return figure(renderBreakdown(layout), layout.width, layout.height, layout.title);
}

/** Markup of a breakdown layout. */
export function renderBreakdown(L: BreakdownLayout): string {
  const { plot, x, y } = L;
  const body: string[] = [titleText(L.title, plot.left, L.subtitle, plot.right), legend(L.legend, plot.left, legendTop(L.subtitle), plot.right)];
  body.push(bottomAxis(plot, L.xTicks.map((t) => ({ px: x(t.value), label: t.label })), "memory", true));
  const bw = y.bandwidth();
  const labels: string[] = [];
  for (const b of L.bars) {
    const top = y(b.key)!;
    body.push(`<g class="bar">`);
    body.push(text(plot.left - 8, top + bw / 2, b.label, { anchor: "end", dy: "0.32em", fill: "#222", max: Math.floor((plot.left - 8) / 6.6) }));
    for (const s of b.segments) {
      const x0 = x(s.from);
      body.push(`<rect x="${num(x0)}" y="${num(top)}" width="${num(Math.max(0, x(s.to) - x0))}" height="${num(bw)}" fill="${s.color}" stroke="#fff" stroke-width="0.5"/>`);
    }
    body.push(`</g>`);
    // The value label: after the bar, or inside its end (on the last part's colour, in the text
    // colour with the better contrast there) when it would run off the plot. Drawn after the tier
    // lines on a backing of its own background, so a tier line never crosses it.
    const end = x(b.total);
    const w = textWidth(b.totalLabel, 11);
    const inside = end + 6 + w > plot.right;
    const back = inside ? (b.segments[b.segments.length - 1]?.color ?? "#ffffff") : "#ffffff";
    const lx = inside ? end - 6 - w : end + 6;
    labels.push(
      `<g class="value">`,
      `<rect x="${num(lx - 3)}" y="${num(top + bw / 2 - 8)}" width="${num(w + 6)}" height="16" fill="${back}"/>`,
      text(lx, top + bw / 2, b.totalLabel, { dy: "0.32em", weight: "bold", fill: inside ? textColorOn(back) : "#222" }),
      `</g>`,
    );
  }
  for (const t of L.tiers) {
    const px = x(t.bytes);
    body.push(`<line class="tier" x1="${num(px)}" x2="${num(px)}" y1="${num(plot.top - 4 - 12 * t.row)}" y2="${num(plot.bottom)}" stroke="#222" stroke-dasharray="4,3"/>`);
    body.push(text(px, plot.top - 8 - 12 * t.row, t.label, { anchor: "middle", fill: "#222" }));
  }
  if (L.beyond.length) {
    body.push(text(plot.right, plot.bottom + 32, `beyond the axis: ${L.beyond.map((t) => t.label).join(", ")} →`, { anchor: "end", fill: "#555" }));
  }
  body.push(...labels);
  return svgDocument({ width: L.width, height: L.height, title: L.title, desc: L.desc, body });
}
