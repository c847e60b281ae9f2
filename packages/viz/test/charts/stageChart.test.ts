import { describe, expect, it } from "vitest";
import { stageChart, stageLayout, type StageRow } from "../../src/index.js";
import { assertSvgSnapshot } from "../snapshot.js";

const GiB = 2 ** 30;

/** Two schedules of a 2-stage pipeline: stage i rises by 2 GiB per forward in flight. */
function rows(): StageRow[] {
  const row = (group: string, stage: number, inFlight: number[]): StageRow => ({
    label: `stage ${stage}`,
    group,
    times: inFlight.map((_, k) => k),
    bytes: inFlight.map((n) => (10 + 2 * n) * GiB),
  });
  return [
    row("gpipe", 0, [0, 1, 2, 3, 4, 3, 2, 1, 0]),
    row("gpipe", 1, [0, 0, 1, 2, 3, 4, 3, 2, 1, 0]),
    row("1f1b", 0, [0, 1, 2, 1, 2, 1, 2, 1, 0]),
    row("1f1b", 1, [0, 0, 1, 0, 1, 0, 1, 0, 1, 0]),
  ];
}

describe("stageChart", () => {
  it("stageChart() of two schedules of two stages matches its snapshot", () => {
    assertSvgSnapshot("stage-two-schedules", stageChart(rows(), { title: "gpipe vs 1f1b", capacity: 24 * GiB }).svg);
  });

  it("stageChart() stacks one row per stage on one time axis and one byte scale, with each row's peak", () => {
    const L = stageLayout(rows());
    expect(L.rows.map((r) => `${r.group}/${r.label}`)).toEqual(["gpipe/stage 0", "gpipe/stage 1", "1f1b/stage 0", "1f1b/stage 1"]);
    expect(L.rows.map((r) => r.heading)).toEqual(["gpipe", "", "1f1b", ""]);
    expect(L.rows.map((r) => r.peak.bytes / GiB)).toEqual([18, 18, 14, 12]);
    expect(L.x.domain()).toEqual([0, 9]);
    expect(L.yMax).toBeGreaterThanOrEqual(18 * GiB);
    for (let k = 1; k < L.rows.length; k++) expect(L.rows[k].top).toBeGreaterThanOrEqual(L.rows[k - 1].bottom);
    expect(L.rows[0].color).not.toBe(L.rows[2].color);
    expect(L.desc).toContain("gpipe stage 0: peak 18.00 GiB");
  });

  it("stageChart() keeps a row's peak when it draws a long series through min/max buckets", () => {
    const n = 200_000;
    const bytes = Array.from({ length: n }, (_, k) => (k * 7919) % 100_003);
    bytes[123_456] = 9_000_000;
    const L = stageLayout([{ label: "stage 0", times: Array.from({ length: n }, (_, k) => k), bytes }], { width: 400 });
    expect(L.rows[0].points.length).toBeLessThan(2 * 400 + 2);
    expect(Math.max(...L.rows[0].points.map((p) => p[1]))).toBe(9_000_000);
  });

  it("stageChart() rejects bad input naming the field", () => {
    expect(() => stageChart([])).toThrow("stageChart: expected a non-empty array of rows");
    expect(() => stageChart([{ label: "s", times: [0, 1], bytes: [1] }])).toThrow("stageChart: rows[0] needs times and bytes of the same non-zero length");
    expect(() => stageChart(rows(), { capacity: -1 })).toThrow("stageChart: capacity must be a number of bytes > 0, got -1");
  });
});
