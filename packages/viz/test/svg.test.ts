import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { attentionChart, breakdownChart, monitorChart, segmentChart, stageChart, timelineChart, type Figure } from "../src/index.js";
import { clipLabel, MAX_LABEL, text } from "../src/svg.js";
import { attentionComparison, firstFitRun, monitorRun, trainingStepTrace } from "./fixtures.js";

const huge = "x".repeat(200_000);

/** Every chart kind, fed a 200,000-character name wherever it takes text from data. */
function longNameFigures(): [string, Figure][] {
  const t = trainingStepTrace();
  for (const b of t.buffers) if (b.op === "AdamState") b.op = huge;
  const run = firstFitRun(t);
  const rows = attentionComparison().rows.map((r) => ({ ...r, variant: r.variant === "flash" ? huge : r.variant }));
  return [
    ["timelineChart", timelineChart(t, { run, subtitle: huge })],
    ["segmentChart", segmentChart(run, t, { title: huge })],
    ["breakdownChart", breakdownChart([{ label: huge, parts: [{ name: huge, bytes: 1e9 }] }], { tiers: [{ label: huge, bytes: 2e9 }] })],
    ["attentionChart", attentionChart({ rows }, { subtitle: huge })],
    ["monitorChart", monitorChart(monitorRun().map((c) => ({ ...c, name: huge })))],
    ["stageChart", stageChart([{ label: huge, group: huge, times: [0, 1, 2], bytes: [0, 2e9, 0] }], { subtitle: huge, width: 640 })],
  ];
}

describe("svg", () => {
  test.prop([fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 120 })])("clipLabel() keeps at most max characters, ends with an ellipsis only when it cut", (s, max) => {
    const c = clipLabel(s, max);
    expect(c.length).toBeLessThanOrEqual(Math.max(max, 0));
    if (s.length <= max) expect(c).toBe(s);
    else expect(c).toBe(s.slice(0, max - 1) + "\u2026");
  });

  it("text() cuts content longer than MAX_LABEL (80) characters with an ellipsis", () => {
    expect(MAX_LABEL).toBe(80);
    expect(text(0, 0, "a".repeat(200))).toBe(`<text x="0" y="0">${"a".repeat(79)}\u2026</text>`);
    expect(text(0, 0, "a".repeat(80))).toBe(`<text x="0" y="0">${"a".repeat(80)}</text>`);
  });

  for (const [name, fig] of longNameFigures()) {
    it(`${name}() draws no text element longer than 80 characters from a 200,000-character name`, () => {
      const texts = [...fig.svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&[a-z#0-9]+;/g, "_"));
      expect(texts.length).toBeGreaterThan(0);
      for (const s of texts) expect(s.length).toBeLessThanOrEqual(120);
      expect(texts.some((s) => s.includes("x\u2026"))).toBe(true);
    });
  }

  it("every chart kind draws its subtitle under the title and leads <desc> with it", () => {
    const t = trainingStepTrace();
    const subtitle = "llama-2-7b · qlora r=8 · flash attention · batch 1 · seq 2048";
    const figures: Figure[] = [
      timelineChart(t, { subtitle }),
      segmentChart(firstFitRun(t), t, { subtitle }),
      breakdownChart([{ label: "a", parts: [{ name: "weights", bytes: 1e9 }] }], { subtitle }),
      attentionChart(attentionComparison(), { subtitle }),
      monitorChart(monitorRun(), { subtitle }),
      stageChart([{ label: "stage 0", group: "1f1b", times: [0, 1, 2], bytes: [0, 2e9, 0] }], { subtitle }),
    ];
    for (const f of figures) {
      expect(f.svg).toMatch(new RegExp(`<text class="subtitle" x="[\\d.]+" y="38" fill="#555">${subtitle}</text>`));
      expect(f.svg).toContain(`<desc>${subtitle}. `);
    }
  });
});
