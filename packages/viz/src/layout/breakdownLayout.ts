import { scaleBand, scaleLinear, type ScaleBand, type ScaleLinear } from "d3-scale";
import { formatBytes } from "@hbmscope/core";
import { byteTicks, type ByteBase } from "../formatBytes.js";
import { colorsFor } from "../palette.js";
import { legendRows, legendTop, type LegendItem } from "../axes.js";
import { textWidth } from "../svg.js";
import { withSubtitle, type ChartFrame } from "./chartFrame.js";

/** One bar: a scenario (e.g. "full fine-tune, bf16") and the parts its memory is made of, in bytes. */
export interface BreakdownScenario {
  label: string;
  parts: { name: string; bytes: number }[];
}

/**
 * A vertical reference line: a GPU's memory in bytes, labelled `label` (or `name`). `@hbmscope/model`'s
 * `gpuTiers`, `gpuCatalogue` and `gpu(...)` values fit as they are (one GPU list for text and charts).
 */
export interface GpuTier {
  label?: string;
  name?: string;
  bytes: number;
}

export interface BreakdownChartOptions {
  /** Vertical lines at these GPUs' memory (those inside the axis are drawn), e.g. model's `gpuTiers`. @defaultValue none */
  tiers?: readonly GpuTier[];
  /** Axis units: binary (GiB, like the labels) or decimal (GB). @defaultValue 2 */
  base?: ByteBase;
  /** Width in pixels. @defaultValue 800 */
  width?: number;
  /** Height in pixels. @defaultValue 80 + 36 per scenario */
  height?: number;
  /** @defaultValue `"Memory by scenario"` */
  title?: string;
  /** The setup the chart shows (method, attention, batch, sequence...), drawn under the title and leading the description. @defaultValue none */
  subtitle?: string;
}

export interface BreakdownLayout extends ChartFrame {
  x: ScaleLinear<number, number>;
  y: ScaleBand<string>;
  xTicks: { value: number; label: string }[];
  /** One row per scenario; `key` is unique even when labels repeat. */
  bars: { key: string; label: string; total: number; totalLabel: string; segments: { name: string; from: number; to: number; color: string }[] }[];
  /** Tiers inside the axis; `row` 1 lifts a label that would overlap its left neighbour's. */
  tiers: { label: string; bytes: number; row: number }[];
  /** Tiers beyond the axis (every scenario fits below them): named at the right end, so the chart lists every tier the text does. */
  beyond: { label: string; bytes: number }[];
  legend: LegendItem[];
}

/**
 * The layout of a breakdown chart: one stacked horizontal bar per scenario, parts in the order
 * given, the axis reaching at least the smallest tier that holds the largest scenario.
 */
export function breakdownLayout(scenarios: readonly BreakdownScenario[], options: BreakdownChartOptions = {}): BreakdownLayout {
  if (!Array.isArray(scenarios as unknown) || scenarios.length === 0) {
    throw new Error("breakdownChart: expected a non-empty array of { label, parts: [{ name, bytes }] }");
  }
  scenarios.forEach((s, i) => {
    if (typeof s?.label !== "string") throw new Error(`breakdownChart: scenarios[${i}].label must be a string`);
    if (!Array.isArray(s.parts)) throw new Error(`breakdownChart: scenarios[${i}].parts must be an array of { name, bytes }`);
    s.parts.forEach((p, k) => {
      if (typeof p?.name !== "string") throw new Error(`breakdownChart: scenarios[${i}].parts[${k}].name must be a string`);
      if (typeof p.bytes !== "number" || !Number.isFinite(p.bytes) || p.bytes < 0) {
        throw new Error(`breakdownChart: scenarios[${i}].parts[${k}].bytes must be a non-negative number of bytes, got ${String(p.bytes)}`);
      }
    });
  });
  const tiersIn = (options.tiers ?? []).map((t, i) => {
    if (!(typeof t?.bytes === "number" && t.bytes > 0 && Number.isFinite(t.bytes))) throw new Error(`breakdownChart: tiers[${i}].bytes must be a positive number of bytes, got ${String(t?.bytes)}`);
    return { label: String(t.label ?? t.name ?? formatBytes(t.bytes)), bytes: t.bytes };
  });
  const base = options.base ?? 2;
  const width = options.width ?? 800;
  const height = options.height ?? 80 + 36 * scenarios.length + 24;
  const names: string[] = [];
  for (const s of scenarios) for (const p of s.parts) if (!names.includes(p.name)) names.push(p.name);
  const colors = colorsFor(names);

  const totals = scenarios.map((s) => s.parts.reduce((a, p) => a + p.bytes, 0));
  const maxTotal = Math.max(...totals, 0);
  const sortedTiers = [...tiersIn].sort((a, b) => a.bytes - b.bytes);
  const holding = sortedTiers.find((t) => t.bytes >= maxTotal);
  const xMaxRaw = Math.max(maxTotal, holding?.bytes ?? 0, 1) * 1.06;

  const legend: LegendItem[] = names.map((n) => ({ label: n, color: colors.get(n)!, kind: "area" as const }));
  const labelWidth = Math.min(240, Math.max(40, ...scenarios.map((s) => textWidth(s.label, 11)))) + 12;
  const plot = { left: labelWidth, top: 0, right: width - 24, bottom: height - 40 };
  if (plot.right - plot.left < 100) throw new Error(`breakdownChart: width ${width} leaves no room for the bars; use at least ${labelWidth + 124}`);
  const subtitle = options.subtitle ?? "";
  plot.top = legendTop(subtitle) + 16 * legendRows(legend, plot.left, plot.right) + 26;
  const ticks = byteTicks(xMaxRaw, Math.max(2, Math.round((plot.right - plot.left) / 90)), base);
  const xMax = Math.max(xMaxRaw, ticks[ticks.length - 1].value);
  const x = scaleLinear().domain([0, xMax]).range([plot.left, plot.right]);
  const keys = scenarios.map((_, i) => String(i));
  const y = scaleBand<string>().domain(keys).range([plot.top, plot.bottom]).paddingInner(0.3).paddingOuter(0.15);

  const bars = scenarios.map((s, i) => {
    let at = 0;
    const segments = s.parts.map((p) => {
      const seg = { name: p.name, from: at, to: at + p.bytes, color: colors.get(p.name)! };
      at += p.bytes;
      return seg;
    });
    return { key: keys[i], label: s.label, total: totals[i], totalLabel: formatBytes(totals[i]), segments };
  });
  const tiers: BreakdownLayout["tiers"] = [];
  let lastEnd = -Infinity;
  for (const t of sortedTiers.filter((t) => t.bytes <= xMax)) {
    const half = textWidth(t.label, 11) / 2 + 4;
    const px = x(t.bytes);
    const row = px - half < lastEnd && tiers[tiers.length - 1]?.row === 0 ? 1 : 0;
    if (row === 0) lastEnd = px + half;
    tiers.push({ label: t.label, bytes: t.bytes, row });
  }
  const beyond = sortedTiers.filter((t) => t.bytes > xMax);
  const title = options.title ?? "Memory by scenario";
  const desc =
    `Stacked bars of memory per scenario. ` +
    bars.map((b) => `${b.label}: ${b.totalLabel} (${b.segments.map((g) => `${g.name} ${formatBytes(g.to - g.from)}`).join(", ")})`).join("; ") +
    `. GPU tiers: ${sortedTiers.map((t) => t.label).join(", ")}.`;
  return { width, height, title, subtitle, desc: withSubtitle(subtitle, desc), plot, x, y, xTicks: ticks.filter((t) => t.value <= xMax), bars, tiers, beyond, legend };
}
