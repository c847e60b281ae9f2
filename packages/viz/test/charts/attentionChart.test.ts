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

  it("attentionChart() ticks every measured sequence length, even uneven ones, and titles the y axis with the view", () => {
    const rows = [300, 700, 1000, 4096].map((seq) => ({ variant: "naive", seq, mode: "train", peak: { logical: seq * 1e4, physical: seq * 2e4, backend: seq * 3e4 } }));
    const L = attentionLayout({ rows }, { view: "backend" });
    expect(L.xTicks.map((t) => t.label)).toEqual(["300", "700", "1000", "4096"]);
    expect(L.yLabel).toBe("peak memory (backend view)");
    const { svg } = attentionChart({ rows }, { view: "backend" });
    for (const s of ["300", "700", "1000", "4096"]) expect(svg).toContain(`>${s}</text>`);
    expect(svg).toMatch(/<text [^>]*transform="rotate\(-90[^"]*"[^>]*>peak memory \(backend view\)<\/text>/);
  });

  it("attentionChart() draws a forward panel only when there are forward runs", () => {
    const train = attentionComparison().rows.filter((r) => r.mode === "train");
    expect(attentionLayout({ rows: train }).panels.map((p) => p.mode)).toEqual(["train"]);
    expect(attentionLayout(attentionComparison()).panels.map((p) => p.mode)).toEqual(["forward", "train"]);
  });

  it("attentionChart() notes two variants that coincide within 2% (one line would hide the other), and not others", () => {
    const row = (variant: string, seq: number, bytes: number) => ({ variant, seq, mode: "train", peak: { logical: bytes, physical: bytes, backend: bytes } });
    const rows = [row("naive", 256, 100e6), row("naive", 512, 400e6), row("flash", 256, 101.9e6), row("flash", 512, 396e6), row("chunked", 256, 103e6), row("chunked", 512, 300e6)];
    const L = attentionLayout({ rows });
    expect(L.panels[0].coincide.map((c) => c.note)).toEqual(["naive and flash coincide (within 2%)"]);
    const { svg } = attentionChart({ rows });
    expect(svg).toContain(">naive and flash coincide (within 2%)</text>");
    expect(svg).toContain("training step: naive and flash coincide (within 2%).</desc>");
    expect(attentionLayout(attentionComparison()).panels.every((p) => p.coincide.length === 0)).toBe(true);
  });
});
