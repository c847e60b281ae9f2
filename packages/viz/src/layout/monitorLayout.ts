import { formatBytes, type TraceCounter } from "@hbmscope/core";
import { scaleLinear, type ScaleLinear } from "d3-scale";
import { legendRows, legendTop, type LegendItem } from "../axes.js";
import { minMaxBuckets } from "../downsample.js";
import { byteTicks } from "../formatBytes.js";
import { SERIES_COLORS } from "../palette.js";
import { withSubtitle, type ChartFrame } from "./chartFrame.js";

/** Colour of the predicted-peak line. */
export const PREDICTED_COLOR = "#CC79A7";
/** Colour of a capacity line. */
export const CAPACITY_COLOR = "#c00000";

export interface MonitorChartOptions {
  /** A predicted peak (bytes) drawn as a dashed horizontal line; `label` names it (`estimate`). */
  predicted?: { bytes: number; label?: string };
  /** Width in pixels. @defaultValue 800 */
  width?: number;
  /** Height in pixels. @defaultValue 400 */
  height?: number;
  /** @defaultValue `"GPU memory over the run"` */
  title?: string;
  /** The setup the chart shows (method, attention, batch, sequence...), drawn under the title and leading the description. @defaultValue none */
  subtitle?: string;
}

export interface MonitorLayout extends ChartFrame {
  /** Seconds to pixels. */
  x: ScaleLinear<number, number>;
  /** Bytes to pixels. */
  y: ScaleLinear<number, number>;
  xTicks: { value: number; label: string }[];
  yTicks: { value: number; label: string }[];
  /** One line per series: points in seconds and bytes (min/max per pixel column, so the peak is kept). */
  lines: { key: string; label: string; color: string; points: [number, number][] }[];
  /** Each distinct capacity (bytes) inside the axis, with its label. */
  capacities: { bytes: number; label: string }[];
  predicted: { bytes: number; label: string } | null;
  /** The largest sample of all series: seconds, bytes, and the label drawn beside it. */
  peak: { t: number; bytes: number; label: string } | null;
  legend: LegendItem[];
}

const seriesLabel = (c: TraceCounter) => `GPU ${c.device} ${c.name}`;

/**
 * The layout of a monitor chart: each series (a GPU's used memory, or a torch.cuda figure) as a
 * line over wall time in seconds, each GPU's capacity and the predicted peak as horizontal lines,
 * the highest sample marked and labelled (value, GPU, time). The byte axis reaches the capacity.
 */
export function monitorLayout(counters: readonly TraceCounter[], options: MonitorChartOptions = {}): MonitorLayout {
  if (!Array.isArray(counters as unknown) || counters.length === 0) throw new Error("monitorChart: expected a non-empty array of counter series ({ name, device, samples: [[ms, bytes]] })");
  counters.forEach((c, i) => {
    if (!Array.isArray(c?.samples)) throw new Error(`monitorChart: counters[${i}].samples must be an array of [ms, bytes] pairs`);
  });
  const p = options.predicted;
  if (p !== undefined && !(typeof p.bytes === "number" && Number.isFinite(p.bytes) && p.bytes >= 0)) {
    throw new Error(`monitorChart: predicted.bytes must be a number of bytes >= 0, got ${String(p?.bytes)}`);
  }
  const width = options.width ?? 800;
  const height = options.height ?? 400;
  const title = options.title ?? "GPU memory over the run";
  const legend: LegendItem[] = counters.map((c, k) => ({ label: seriesLabel(c), color: SERIES_COLORS[k % SERIES_COLORS.length], kind: "line" }));
  const capacitySet = [...new Set(counters.map((c) => c.capacity).filter((b): b is number => typeof b === "number" && b > 0))].sort((a, b) => a - b);
  if (capacitySet.length) legend.push({ label: "capacity", color: CAPACITY_COLOR, kind: "line" });
  if (p) legend.push({ label: `predicted (${p.label ?? "prediction"})`, color: PREDICTED_COLOR, kind: "line" });
  legend.push({ label: "peak", color: "#222", kind: "dot" });
  const left = 64;
  const right = width - 16;
  const subtitle = options.subtitle ?? "";
  const top = legendTop(subtitle) + 14 + 16 * Math.max(0, legendRows(legend, left, right) - 1);
  const plot = { left, top, right, bottom: height - 44 };

  let tEnd = 0;
  let vMax = 0;
  let peak: MonitorLayout["peak"] = null;
  for (const c of counters) {
    for (const [ms, v] of c.samples) {
      tEnd = Math.max(tEnd, ms / 1000);
      if (!peak || v > peak.bytes) peak = { t: ms / 1000, bytes: v, label: `peak ${formatBytes(v)} · GPU ${c.device} · ${(ms / 1000).toFixed(1)} s` };
      vMax = Math.max(vMax, v);
    }
  }
  const top_ = Math.max(vMax, p?.bytes ?? 0, ...capacitySet);
  const yTicks = byteTicks(top_ * 1.05 || 1, 5);
  const y = scaleLinear().domain([0, yTicks[yTicks.length - 1].value]).range([plot.bottom, plot.top]);
  const x = scaleLinear().domain([0, tEnd || 1]).range([plot.left, plot.right]);
  const xTicks = x.ticks(8).map((value) => ({ value, label: `${value}` }));
  const lines = counters.map((c, k) => {
    const vs = c.samples.map((s) => s[1]);
    const keep = minMaxBuckets(vs, (i) => Math.floor(x(c.samples[i][0] / 1000)));
    return {
      key: `${c.device}/${c.name}`,
      label: seriesLabel(c),
      color: SERIES_COLORS[k % SERIES_COLORS.length],
      points: Array.from(keep, (i) => [c.samples[i][0] / 1000, c.samples[i][1]] as [number, number]),
    };
  });
  const capacities = capacitySet.map((bytes) => ({ bytes, label: `capacity ${formatBytes(bytes)}` }));
  const predicted = p ? { bytes: p.bytes, label: `${p.label ?? "predicted"} ${formatBytes(p.bytes)}` } : null;
  const gpus = [...new Set(counters.map((c) => c.device))];
  const desc =
    `Memory of ${gpus.length === 1 ? `GPU ${gpus[0]}` : `GPUs ${gpus.join(", ")}`} over ${tEnd.toFixed(1)} s` +
    (peak ? `; ${peak.label}` : "") +
    (predicted ? `; predicted ${formatBytes(predicted.bytes)}` : "") +
    (capacities.length ? `; capacity ${capacities.map((c) => formatBytes(c.bytes)).join(", ")}` : "");
  return { width, height, title, subtitle, desc: withSubtitle(subtitle, desc), plot, x, y, xTicks, yTicks, lines, capacities, predicted, peak, legend };
}
