import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { CATEGORY_COLORS, colorsFor } from "../src/index.js";
import { contrastRatio, DARK_TEXT, PART_COLORS, SERIES_COLORS, textColorOn } from "../src/palette.js";
import { breakdownLayout, segmentLayout, timelineLayout } from "../src/index.js";
import { firstFitRun, trainingStepTrace } from "./fixtures.js";

const hex = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((c) => "#" + c.map((v) => v.toString(16).padStart(2, "0")).join(""));

describe("palette", () => {
  it("CATEGORY_COLORS are Okabe-Ito's colour-blind-safe colours (grey for other), all different", () => {
    const okabeIto = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"];
    const colors = Object.values(CATEGORY_COLORS);
    expect(new Set(colors).size).toBe(colors.length);
    for (const [c, v] of Object.entries(CATEGORY_COLORS)) if (c !== "other") expect(okabeIto).toContain(v);
    for (const v of [...SERIES_COLORS, ...Object.values(PART_COLORS)]) expect(okabeIto).toContain(v);
  });

  it("colorsFor() gives a category the same colour in every chart, whatever else is listed", () => {
    expect(colorsFor(["activations", "weights"]).get("weights")).toBe(CATEGORY_COLORS.weight);
    expect(colorsFor(["overhead", "gradients"]).get("gradients")).toBe(CATEGORY_COLORS.gradient);
    expect(colorsFor(["weights", "overhead"]).get("overhead")).toBe(PART_COLORS.overhead);
    const t = trainingStepTrace();
    const timeline = new Map(timelineLayout(t).layers.map((l) => [l.key, l.color]));
    const segments = new Map(segmentLayout(firstFitRun(t), t).blocks.map((g) => [g.category, g.color]));
    const breakdown = breakdownLayout([{ label: "a", parts: ["weights", "gradients", "optimizer", "activations", "temporary"].map((name) => ({ name, bytes: 1e9 })) }]);
    const names: Record<string, string> = { weights: "weight", gradients: "gradient", optimizer: "optimizer", activations: "activation", temporary: "temporary" };
    for (const s of breakdown.bars[0].segments) {
      expect(s.color).toBe(timeline.get(names[s.name] as never));
      expect(s.color).toBe(segments.get(names[s.name] as never) ?? s.color);
    }
  });

  test.prop([hex])("textColorOn() picks the text colour with the higher WCAG contrast on the fill", (fill) => {
    const pick = textColorOn(fill);
    const other = pick === "#ffffff" ? DARK_TEXT : "#ffffff";
    expect(contrastRatio(pick, fill)).toBeGreaterThanOrEqual(contrastRatio(other, fill));
    // With two text colours to choose from, some reaches WCAG's large-text 3:1 on any fill.
    expect(contrastRatio(pick, fill)).toBeGreaterThanOrEqual(3);
  });

  it("textColorOn() puts white on the dark category colours and dark text on yellow and orange", () => {
    expect(textColorOn(CATEGORY_COLORS.weight)).toBe("#ffffff");
    expect(textColorOn(CATEGORY_COLORS.temporary)).toBe(DARK_TEXT);
    expect(textColorOn(CATEGORY_COLORS.optimizer)).toBe(DARK_TEXT);
    expect(contrastRatio("#ffffff", "#000000")).toBeCloseTo(21, 5);
  });
});
