import { escapeXml } from "./escapeXml.js";
import { clipLabel, num, text, textWidth } from "./svg.js";

type Plot = { left: number; top: number; right: number; bottom: number };
type Tick = { px: number; label: string };

/** Horizontal grid lines and labels on the left of the plot. */
export function leftAxis(plot: Plot, ticks: Tick[], label?: string): string {
  const out = [`<g class="y-axis" fill="#555">`];
  for (const t of ticks) {
    out.push(`<line x1="${num(plot.left)}" x2="${num(plot.right)}" y1="${num(t.px)}" y2="${num(t.px)}" stroke="#000" stroke-opacity="0.1"/>`);
    out.push(text(plot.left - 6, t.px, t.label, { anchor: "end", dy: "0.32em" }));
  }
  if (label) out.push(text(14, (plot.top + plot.bottom) / 2, label, { anchor: "middle", transform: `rotate(-90 14 ${num((plot.top + plot.bottom) / 2)})` }));
  out.push(`</g>`);
  return out.join("\n");
}

/** Vertical grid lines (optional), tick marks and labels under the plot, and the axis label. */
export function bottomAxis(plot: Plot, ticks: Tick[], label: string, grid = false): string {
  const out = [`<g class="x-axis" fill="#555">`];
  out.push(`<line x1="${num(plot.left)}" x2="${num(plot.right)}" y1="${num(plot.bottom)}" y2="${num(plot.bottom)}" stroke="#333"/>`);
  for (const t of ticks) {
    if (grid) out.push(`<line x1="${num(t.px)}" x2="${num(t.px)}" y1="${num(plot.top)}" y2="${num(plot.bottom)}" stroke="#000" stroke-opacity="0.1"/>`);
    out.push(`<line x1="${num(t.px)}" x2="${num(t.px)}" y1="${num(plot.bottom)}" y2="${num(plot.bottom + 4)}" stroke="#333"/>`);
    out.push(text(t.px, plot.bottom + 16, t.label, { anchor: "middle" }));
  }
  if (label) out.push(text((plot.left + plot.right) / 2, plot.bottom + 32, label, { anchor: "middle" }));
  out.push(`</g>`);
  return out.join("\n");
}

export type LegendItem = { label: string; color: string; kind: "area" | "line" | "dot" };

/** Where each legend entry goes (rows wrap at `right`), and how many rows there are. */
export function legendPlacement(entries: LegendItem[], left: number, right: number): { x: number; row: number }[] {
  let x = left;
  let row = 0;
  return entries.map((e) => {
    const w = 16 + textWidth(clipLabel(e.label), 11) + 14;
    if (x + w > right && x > left) {
      x = left;
      row++;
    }
    const at = { x, row };
    x += w;
    return at;
  });
}

/** Number of rows `legend(entries, left, top, right)` takes. */
export function legendRows(entries: LegendItem[], left: number, right: number): number {
  const p = legendPlacement(entries, left, right);
  return p.length ? p[p.length - 1].row + 1 : 0;
}

/** Legend entries (swatch, line or dot, then the label) in rows 16 px apart from `top`, wrapping at `right`. */
export function legend(entries: LegendItem[], left: number, top: number, right: number): string {
  const out = [`<g class="legend" fill="#333">`];
  const at = legendPlacement(entries, left, right);
  entries.forEach((e, k) => {
    const x = at[k].x;
    const y = top + 16 * at[k].row;
    if (e.kind === "line") out.push(`<line x1="${num(x)}" x2="${num(x + 12)}" y1="${num(y)}" y2="${num(y)}" stroke="${e.color}" stroke-width="2"/>`);
    else if (e.kind === "dot") out.push(`<circle cx="${num(x + 6)}" cy="${num(y)}" r="4" fill="${e.color}"/>`);
    else out.push(`<rect x="${num(x)}" y="${num(y - 5)}" width="12" height="10" fill="${e.color}"/>`);
    out.push(text(x + 16, y, e.label, { dy: "0.32em" }));
  });
  out.push(`</g>`);
  return out.join("\n");
}

/** Where the legend starts (pixels from the top): under the title, and under the subtitle when there is one. */
export function legendTop(subtitle: string): number {
  return subtitle ? 56 : 38;
}

/**
 * The chart's title, top left, and under it the subtitle (the setup the chart shows: method,
 * attention, batch, sequence...), both cut to fit `right` (in pixels).
 */
export function titleText(title: string, left: number, subtitle = "", right = Infinity): string {
  const fit = (size: number) => Math.max(10, Math.floor((right - left + 16) / (size * 0.55)));
  const out = [text(left, 20, title, { size: 14, weight: "bold", fill: "#222", max: fit(14) })];
  if (subtitle) out.push(`<text class="subtitle" x="${num(left)}" y="38" fill="#555">${escapeXml(clipLabel(subtitle, fit(11)))}</text>`);
  return out.join("\n");
}
