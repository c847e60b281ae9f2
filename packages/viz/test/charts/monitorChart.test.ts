import { describe, expect, it } from "vitest";
import { monitorChart, monitorLayout } from "../../src/index.js";
import { monitorRun } from "../fixtures.js";
import { assertSvgSnapshot } from "../snapshot.js";

const MiB = 2 ** 20;

describe("monitorChart", () => {
  it("monitorChart() of two GPUs with a predicted peak matches its snapshot", () => {
    assertSvgSnapshot("monitor-two-gpus", monitorChart(monitorRun(), { predicted: { bytes: 58e9, label: "estimate" }, title: "GPU memory: torchrun train.py" }).svg);
  });

  it("monitorChart() marks the highest sample with its value, GPU and time, and draws capacity and prediction", () => {
    const L = monitorLayout(monitorRun(), { predicted: { bytes: 58e9, label: "estimate" } });
    const peak = Math.round((14_000 + 31_500 + 16_000) * MiB);
    expect(L.peak).toEqual({ t: 3.8, bytes: peak, label: "peak 60.06 GiB · GPU 1 · 3.8 s" });
    expect(L.capacities).toEqual([{ bytes: 81559 * MiB, label: "capacity 79.65 GiB" }]);
    expect(L.predicted).toEqual({ bytes: 58e9, label: "estimate 54.02 GiB" });
    expect(L.y.domain()[1]).toBeGreaterThanOrEqual(81559 * MiB);
    expect(L.lines.map((l) => [l.key, l.label])).toEqual([["0/used", "GPU 0 used"], ["1/used", "GPU 1 used"]]);
    const svg = monitorChart(monitorRun()).svg;
    expect(svg.match(/class="series" data-key/g)).toHaveLength(2);
    expect(svg).not.toContain('class="predicted"');
  });

  it("monitorChart() keeps the peak of a long run drawn through min/max buckets", () => {
    const samples: [number, number][] = Array.from({ length: 100_000 }, (_, k) => [k * 10, (k * 7919) % 100_003]);
    samples[54_321][1] = 5_000_000;
    const L = monitorLayout([{ name: "used", device: 0, samples }], { width: 400 });
    expect(L.lines[0].points.length).toBeLessThan(2 * 400 + 2);
    expect(Math.max(...L.lines[0].points.map((p) => p[1]))).toBe(5_000_000);
  });

  it("monitorChart() rejects bad input naming the field", () => {
    expect(() => monitorChart([])).toThrow("monitorChart: expected a non-empty array of counter series");
    expect(() => monitorChart(monitorRun(), { predicted: { bytes: NaN } })).toThrow("monitorChart: predicted.bytes must be a number of bytes >= 0, got NaN");
  });
});
