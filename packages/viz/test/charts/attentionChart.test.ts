import { describe, expect, it } from "vitest";
import { attentionChart, attentionLayout } from "../../src/index.js";
import { attentionComparison } from "../fixtures.js";
import { assertSvgSnapshot } from "../snapshot.js";

describe("attentionChart", () => {
  it("attentionChart() of four variants, forward and training, matches its snapshot", () => {
    assertSvgSnapshot("attention", attentionChart(attentionComparison()).svg);
  });

  it("attentionChart() makes one panel per mode, forward first, with one line per variant", () => {
    const L = attentionLayout(attentionComparison());
    expect(L.panels.map((p) => p.title)).toEqual(["forward only", "training step"]);
    expect(L.panels[1].series.map((s) => s.variant)).toEqual(["naive", "chunked", "chunked-recompute", "flash"]);
    expect(L.panels[1].series[0].points.map((p) => p.seq)).toEqual([128, 256, 512, 1024]);
    expect(L.panels[0].x.base()).toBe(2);
    expect(L.yTicks.every((t) => Number.isInteger(Math.log2(t.value)))).toBe(true);
  });

  it("attentionChart() plots the view asked for (physical by default)", () => {
    const c = attentionComparison();
    const naive1024 = c.rows.find((r) => r.mode === "train" && r.variant === "naive" && r.seq === 1024)!;
    const pick = (view?: "logical") => attentionLayout(c, { view }).panels[1].series[0].points.at(-1)!.bytes;
    expect(pick()).toBe(naive1024.peak.physical);
    expect(pick("logical")).toBe(naive1024.peak.logical);
  });

  it("attentionChart() of a single sequence length still has a usable log axis", () => {
    const L = attentionLayout({ rows: [{ variant: "flash", seq: 512, mode: "train", peak: { logical: 4e6, physical: 4e6, backend: 4e6 } }] });
    expect(L.panels[0].x.domain()).toEqual([256, 1024]);
  });

  it("attentionChart() rejects rows without a positive peak for the view", () => {
    expect(() => attentionChart({ rows: [] })).toThrow(/at least one row/);
    expect(() => attentionChart({ rows: [{ variant: "naive", seq: 128, mode: "train", peak: { logical: 1, physical: 0, backend: 1 } }] })).toThrow(
      "attentionChart: rows[0].peak.physical must be a positive number of bytes (log scale), got 0",
    );
    expect(() => attentionChart(attentionComparison(), { view: "virtual" as never })).toThrow(/accepted: logical, physical, backend/);
  });
});
