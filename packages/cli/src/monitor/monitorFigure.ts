import type { TraceCounter } from "@hbmscope/core";
import { monitorChart, type Figure, type MonitorChartOptions } from "@hbmscope/viz";
import type { Expectation } from "./expectation.js";

/** The series a chart of a run draws: nvidia-smi's `used`, else a torch log's current figures, else its peaks. */
export function chartSeries(counters: TraceCounter[]): TraceCounter[] {
  for (const names of [["used"], ["reserved", "allocated"], ["peakReserved", "peakAllocated"]]) {
    const picked = counters.filter((c) => names.includes(c.name));
    if (picked.length) return picked;
  }
  return counters;
}

/**
 * The chart of a monitored run (`monitor --svg`, and `render` of a trace that holds only counters):
 * the series `chartSeries` picks, with the prediction that matches them (device memory for
 * nvidia-smi's `used`, reserved bytes for torch.cuda figures).
 */
export function monitorFigure(counters: TraceCounter[], expect: Expectation | undefined, options: Omit<MonitorChartOptions, "predicted"> = {}): Figure {
  const drawn = chartSeries(counters);
  const predicted = expect ? { bytes: drawn.some((c) => c.name === "used") ? expect.device : expect.reserved, label: expect.label } : undefined;
  return monitorChart(drawn, { ...options, ...(predicted ? { predicted } : {}) });
}
