import { describe, expect, it } from "vitest";
import { breakdownChart, breakdownLayout, DEFAULT_TIERS } from "../../src/index.js";
import { sevenBScenarios } from "../fixtures.js";
import { assertSvgSnapshot } from "../snapshot.js";

describe("breakdownChart", () => {
  it("breakdownChart() of full / LoRA / QLoRA for 7B matches its snapshot", () => {
    assertSvgSnapshot("breakdown-7b", breakdownChart(sevenBScenarios()).svg);
  });

  it("breakdownChart() stacks the parts in order and labels each total", () => {
    const L = breakdownLayout([{ label: "a", parts: [{ name: "weights", bytes: 4e9 }, { name: "activations", bytes: 6e9 }] }]);
    expect(L.bars[0].segments.map((s) => [s.name, s.from, s.to])).toEqual([["weights", 0, 4e9], ["activations", 4e9, 10e9]]);
    expect(L.bars[0].totalLabel).toBe("10 GB");
  });

  it("breakdownChart() draws GPU tiers at 16, 24, 40, 80 GB (1e9 bytes) up to the one that holds the largest bar", () => {
    expect(DEFAULT_TIERS.map((t) => t.bytes)).toEqual([16e9, 24e9, 40e9, 80e9]);
    const L = breakdownLayout([{ label: "a", parts: [{ name: "x", bytes: 30e9 }] }]);
    expect(L.tiers.map((t) => t.label)).toEqual(["16 GB", "24 GB", "40 GB"]);
    const svg = breakdownChart([{ label: "a", parts: [{ name: "x", bytes: 30e9 }] }]).svg;
    expect(svg.match(/class="tier"/g)).toHaveLength(3);
  });

  it("breakdownChart() takes its own tiers and binary units", () => {
    const L = breakdownLayout([{ label: "a", parts: [{ name: "x", bytes: 2 ** 30 }] }], { tiers: [{ label: "edge", bytes: 1.5 * 2 ** 30 }], base: 2 });
    expect(L.tiers).toEqual([{ label: "edge", bytes: 1.5 * 2 ** 30, row: 0 }]);
    expect(L.xTicks.map((t) => t.label)).toContain("1 GiB");
  });

  it("breakdownChart() rejects bad input naming the field", () => {
    expect(() => breakdownChart([])).toThrow(/non-empty array/);
    expect(() => breakdownChart([{ label: "a", parts: [{ name: "x", bytes: NaN }] }])).toThrow("breakdownChart: scenarios[0].parts[0].bytes must be a non-negative number of bytes, got NaN");
    expect(() => breakdownChart([{ label: "a", parts: [{ name: "x", bytes: 1 }] }], { tiers: [{ label: "t", bytes: -1 }] })).toThrow(/tiers\[0\].bytes must be a positive/);
  });
});
