import type { View } from "@hbmscope/core";
import { scaleLog, type ScaleLogarithmic } from "d3-scale";
import { formatBytes } from "@hbmscope/core";
import { SERIES_COLORS } from "../palette.js";
import { legendRows, legendTop, type LegendItem } from "../axes.js";
import { withSubtitle } from "./chartFrame.js";

/** One measurement of `hbmscope compare-attention --json`. Sizes in bytes. */
export interface AttentionRow {
  variant: string;
  seq: number;
  /** `forward` or `train` (a training step). */
  mode: string;
  peak: { logical: number; physical: number; backend: number };
  attentionExtraBytes?: number;
  stepMs?: number;
  maxGradDiff?: number;
}

/** The `compare-attention --json` shape. */
export interface AttentionComparison {
  rows: AttentionRow[];
}

export interface AttentionChartOptions {
  /** Which peak to plot. @defaultValue `"physical"` */
  view?: View;
  /** Width in pixels. @defaultValue 800 */
  width?: number;
  /** Height in pixels. @defaultValue 400 */
  height?: number;
  /** @defaultValue `"Peak memory against sequence length (<view> view)"` */
  title?: string;
  /** The setup the chart shows (method, attention, batch, sequence...), drawn under the title and leading the description. @defaultValue none */
  subtitle?: string;
}

export interface AttentionPanel {
  mode: string;
  title: string;
  plot: { left: number; top: number; right: number; bottom: number };
  x: ScaleLogarithmic<number, number>;
  y: ScaleLogarithmic<number, number>;
  series: { variant: string; color: string; points: { seq: number; bytes: number }[] }[];
  /** Variants whose lines coincide (every shared sequence length within 2%): one line hides the other, so the panel says so. */
  coincide: { variants: [string, string]; note: string }[];
}

/** Two measurements closer than this (relative) are drawn as one line: the chart notes it. */
export const COINCIDE_WITHIN = 0.02;

export interface AttentionLayout {
  width: number;
  height: number;
  title: string;
  /** The setup drawn under the title; "" for none. */
  subtitle: string;
  desc: string;
  view: View;
  panels: AttentionPanel[];
  xTicks: { value: number; label: string }[];
  yTicks: { value: number; label: string }[];
  /** The y axis title: which peak is plotted (`peak memory, physical view`). */
  yLabel: string;
  legend: LegendItem[];
}

const VARIANT_ORDER = ["naive", "chunked", "chunked-recompute", "flash"];
const MODE_ORDER = ["forward", "train"];
const MODE_TITLE: Record<string, string> = { forward: "forward only", train: "training step" };

/**
 * The layout of an attention comparison: one panel per mode (forward, then training step), peak
 * bytes against sequence length on log-log axes, one line per variant; panels share the y axis.
 */
export function attentionLayout(comparison: AttentionComparison, options: AttentionChartOptions = {}): AttentionLayout {
  const view = options.view ?? "physical";
  if (!["logical", "physical", "backend"].includes(view)) throw new Error(`attentionChart: unknown view ${JSON.stringify(view)}; accepted: logical, physical, backend`);
  const rows = comparison?.rows;
  if (!Array.isArray(rows) || rows.length === 0) throw new Error("attentionChart: expected { rows: [...] } with at least one row (hbmscope compare-attention --json)");
  rows.forEach((r, i) => {
    if (typeof r?.variant !== "string" || typeof r.mode !== "string") throw new Error(`attentionChart: rows[${i}] needs a variant and a mode (strings)`);
    if (!(Number.isFinite(r.seq) && r.seq > 0)) throw new Error(`attentionChart: rows[${i}].seq must be a positive number, got ${String(r.seq)}`);
    const b = r.peak?.[view];
    if (!(typeof b === "number" && Number.isFinite(b) && b > 0)) throw new Error(`attentionChart: rows[${i}].peak.${view} must be a positive number of bytes (log scale), got ${String(b)}`);
  });
  const width = options.width ?? 800;
  const height = options.height ?? 400;
  if (!(width >= 300 && height >= 200)) throw new Error(`attentionChart: width and height must be at least 300 x 200 pixels, got ${width} x ${height}`);
  const rank = (order: string[], v: string) => (order.includes(v) ? order.indexOf(v) : order.length);
  const ordered = (values: string[], order: string[]) => [...new Set(values)].sort((a, b) => rank(order, a) - rank(order, b) || (a < b ? -1 : a > b ? 1 : 0));
  const variants = ordered(rows.map((r) => r.variant), VARIANT_ORDER);
  const modes = ordered(rows.map((r) => r.mode), MODE_ORDER);
  const colors = new Map(variants.map((v, k) => [v, SERIES_COLORS[k % SERIES_COLORS.length]]));
  const legend: LegendItem[] = variants.map((v) => ({ label: v, color: colors.get(v)!, kind: "line" as const }));

  const seqs = [...new Set(rows.map((r) => r.seq))].sort((a, b) => a - b);
  const bytes = rows.map((r) => r.peak[view]);
  const pad = (lo: number, hi: number, f: number): [number, number] => (lo === hi ? [lo / 2, hi * 2] : [lo / f, hi * f]);
  const xDomain = pad(seqs[0], seqs[seqs.length - 1], 1.15);
  const yDomain = pad(Math.min(...bytes), Math.max(...bytes), 1.3);

  const left = 86; // room for the tick labels and the y axis title
  const gap = 36;
  const subtitle = options.subtitle ?? "";
  const top = legendTop(subtitle) + 16 * legendRows(legend, left, width - 16) + 22;
  const bottom = height - 40;
  const panelWidth = (width - 16 - left - gap * (modes.length - 1)) / modes.length;
  const panels = modes.map((mode, k) => {
    const plot = { left: left + k * (panelWidth + gap), top, right: left + k * (panelWidth + gap) + panelWidth, bottom };
    const x = scaleLog().base(2).domain(xDomain).range([plot.left, plot.right]);
    const y = scaleLog().base(2).domain(yDomain).range([plot.bottom, plot.top]);
    const series = variants
      .map((variant) => ({
        variant,
        color: colors.get(variant)!,
        points: rows
          .filter((r) => r.mode === mode && r.variant === variant)
          .map((r) => ({ seq: r.seq, bytes: r.peak[view] }))
          .sort((a, b) => a.seq - b.seq),
      }))
      .filter((s) => s.points.length > 0);
    const coincide: AttentionPanel["coincide"] = [];
    for (let a = 0; a < series.length; a++) {
      for (let b = a + 1; b < series.length; b++) {
        const other = new Map(series[b].points.map((q) => [q.seq, q.bytes]));
        const shared = series[a].points.filter((q) => other.has(q.seq));
        if (shared.length > 0 && shared.every((q) => Math.abs(q.bytes - other.get(q.seq)!) <= COINCIDE_WITHIN * Math.max(q.bytes, other.get(q.seq)!))) {
          const pair: [string, string] = [series[a].variant, series[b].variant];
          coincide.push({ variants: pair, note: `${pair[0]} and ${pair[1]} coincide (within ${COINCIDE_WITHIN * 100}%)` });
        }
      }
    }
    return { mode, title: MODE_TITLE[mode] ?? mode, plot, x, y, series, coincide };
  });

  // Powers of two: every one, or every 2nd, 4th... so that at most about 6 show.
  const lo = Math.ceil(Math.log2(yDomain[0]));
  const hi = Math.floor(Math.log2(yDomain[1]));
  const stride = Math.max(1, 2 ** Math.ceil(Math.log2(Math.max(1, (hi - lo + 1) / 6))));
  const yTicks: { value: number; label: string }[] = [];
  for (let e = Math.ceil(lo / stride) * stride; e <= hi; e += stride) yTicks.push({ value: 2 ** e, label: formatBytes(2 ** e) });
  const xTicks = seqs.map((s) => ({ value: s, label: String(s) }));
  const title = options.title ?? `Peak memory against sequence length (${view} view)`;
  const desc =
    `Log-log lines of peak ${view} bytes per attention variant against sequence length. ` +
    panels
      .map((p) => `${p.title}: ` + p.series.map((s) => `${s.variant} ${s.points.map((q) => `${q.seq}: ${formatBytes(q.bytes)}`).join(", ")}`).join("; "))
      .join(". ") +
    "." +
    panels.flatMap((p) => p.coincide.map((c) => ` ${p.title}: ${c.note}.`)).join("");
  return { width, height, title, subtitle, desc: withSubtitle(subtitle, desc), view, panels, xTicks, yTicks, yLabel: `peak memory (${view} view)`, legend };
}
