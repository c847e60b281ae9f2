import { describe, expect, it } from "vitest";
import { breakdownChart, breakdownLayout } from "../../src/index.js";
import { sevenBScenarios } from "../fixtures.js";
import { assertSvgSnapshot } from "../snapshot.js";

// Tiers as @hbmscope/model's gpuTiers gives them (nvidia-smi totals), written out: viz does not depend on model.
const MiB = 2 ** 20;
const TIERS = [{ name: "16GB", bytes: 15360 * MiB }, { name: "24GB", bytes: 23028 * MiB }, { name: "40GB", bytes: 40960 * MiB }, { name: "80GB", bytes: 81559 * MiB }];

describe("breakdownChart", () => {
  it("breakdownChart() of full / LoRA / QLoRA for 7B matches its snapshot", () => {
    assertSvgSnapshot("breakdown-7b", breakdownChart(sevenBScenarios(), { tiers: TIERS }).svg);
  });

  it("breakdownChart() stacks the parts in order and labels each total", () => {
    const L = breakdownLayout([{ label: "a", parts: [{ name: "weights", bytes: 4e9 }, { name: "activations", bytes: 6e9 }] }]);
    expect(L.bars[0].segments.map((s) => [s.name, s.from, s.to])).toEqual([["weights", 0, 4e9], ["activations", 4e9, 10e9]]);
    expect(L.bars[0].totalLabel).toBe("9.31 GiB");
  });

  it("breakdownChart() draws the GPUs it is given up to the one that holds the largest bar, none by default", () => {
    const L = breakdownLayout([{ label: "a", parts: [{ name: "x", bytes: 30e9 }] }], { tiers: TIERS });
    expect(L.tiers.map((t) => t.label)).toEqual(["16GB", "24GB", "40GB"]);
    const svg = breakdownChart([{ label: "a", parts: [{ name: "x", bytes: 30e9 }] }], { tiers: TIERS }).svg;
    expect(svg.match(/class="tier"/g)).toHaveLength(3);
    expect(breakdownLayout([{ label: "a", parts: [{ name: "x", bytes: 30e9 }] }]).tiers).toEqual([]);
  });

  it("breakdownChart() names the tiers beyond the axis, so the chart lists every tier it is given", () => {
    const L = breakdownLayout([{ label: "a", parts: [{ name: "x", bytes: 10e9 }] }], { tiers: TIERS });
    expect(L.tiers.map((t) => t.label)).toEqual(["16GB"]);
    expect(L.beyond.map((t) => t.label)).toEqual(["24GB", "40GB", "80GB"]);
    const svg = breakdownChart([{ label: "a", parts: [{ name: "x", bytes: 10e9 }] }], { tiers: TIERS }).svg;
    expect(svg).toContain("beyond the axis: 24GB, 40GB, 80GB \u2192</text>");
  });

  it("breakdownChart() draws the value labels after the tier lines, each on a backing, so no tier line crosses one", () => {
    const svg = breakdownChart(sevenBScenarios(), { tiers: TIERS }).svg;
    const lastTier = svg.lastIndexOf('class="tier"');
    const values = [...svg.matchAll(/<g class="value">\n<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="16" fill="#[0-9a-fA-F]{6}"\/>\n<text [^>]*>/g)];
    expect(values).toHaveLength(3);
    for (const v of values) expect(v.index!).toBeGreaterThan(lastTier);
  });

  it("breakdownChart() writes a value label inside a bar in the text colour with the better contrast on that bar's colour", () => {
    // A bar that reaches the right end: its label goes inside, on the last part's colour.
    const svg = breakdownChart([{ label: "a", parts: [{ name: "weights", bytes: 9e9 }, { name: "temporary", bytes: 1e9 }] }, { label: "b", parts: [{ name: "weights", bytes: 10e9 }] }]).svg;
    const fills = [...svg.matchAll(/<g class="value">\n<rect [^>]*fill="(#[0-9a-fA-F]{6})"\/>\n<text [^>]*fill="(#[0-9a-fA-F]{6})"/g)].map((m) => [m[1], m[2]]);
    expect(fills).toEqual([["#F0E442", "#111111"], ["#0072B2", "#ffffff"]]);
  });

  it("breakdownChart() takes labelled tiers and decimal units", () => {
    const L = breakdownLayout([{ label: "a", parts: [{ name: "x", bytes: 2 ** 30 }] }], { tiers: [{ label: "edge", bytes: 1.5 * 2 ** 30 }] });
    expect(L.tiers).toEqual([{ label: "edge", bytes: 1.5 * 2 ** 30, row: 0 }]);
    expect(L.xTicks.map((t) => t.label)).toContain("1 GiB");
    expect(breakdownLayout([{ label: "a", parts: [{ name: "x", bytes: 2e9 }] }], { base: 10 }).xTicks.map((t) => t.label)).toContain("1 GB");
  });

  it("breakdownChart() rejects bad input naming the field", () => {
    expect(() => breakdownChart([])).toThrow(/non-empty array/);
    expect(() => breakdownChart([{ label: "a", parts: [{ name: "x", bytes: NaN }] }])).toThrow("breakdownChart: scenarios[0].parts[0].bytes must be a non-negative number of bytes, got NaN");
    expect(() => breakdownChart([{ label: "a", parts: [{ name: "x", bytes: 1 }] }], { tiers: [{ label: "t", bytes: -1 }] })).toThrow(/tiers\[0\].bytes must be a positive/);
  });
});
