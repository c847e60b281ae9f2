import { describe, expect, it } from "vitest";
import { Resvg } from "@resvg/resvg-js";
import { cachingAllocator, replay } from "@hbmscope/core";
import { attentionChart, breakdownChart, monitorChart, segmentChart, stageChart, timelineChart, type Figure } from "../src/index.js";
import { attentionComparison, firstFitRun, monitorRun, sevenBScenarios, trainingStepTrace } from "./fixtures.js";

const t = trainingStepTrace();
const charts: [string, Figure][] = [
  ["timelineChart", timelineChart(t, { run: firstFitRun(t), width: 640, height: 360 })],
  ["timelineChart (out of memory, subtitle)", timelineChart(t, { run: replay(t, cachingAllocator(), { view: "physical", capacity: 64 * 2 ** 20 }), subtitle: "setup" })],
  ["segmentChart", segmentChart(firstFitRun(t), t)],
  ["breakdownChart", breakdownChart(sevenBScenarios())],
  ["attentionChart", attentionChart(attentionComparison(), { width: 900 })],
  ["monitorChart", monitorChart(monitorRun(), { predicted: { bytes: 58e9 } })],
  [
    "stageChart",
    stageChart(
      [0, 1].map((stage) => ({ label: `stage ${stage}`, group: "1f1b", times: [0, 1, 2, 3, 4], bytes: [0, 3e9, 5e9 - stage * 1e9, 2e9, 0] })),
      { subtitle: "setup", capacity: 6e9 },
    ),
  ],
];

describe("render", () => {
  for (const [name, fig] of charts) {
    it(`${name}() rasterises with resvg to its size, and is not blank`, () => {
      const image = new Resvg(fig.svg, { font: { loadSystemFonts: false } }).render();
      expect([image.width, image.height]).toEqual([fig.width, fig.height]);
      const px = image.pixels;
      let ink = 0;
      const colours = new Set<number>();
      for (let i = 0; i < px.length; i += 4) {
        if (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240) ink++;
        colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      }
      expect(ink / (image.width * image.height)).toBeGreaterThan(0.02);
      expect(colours.size).toBeGreaterThan(5);
    });
  }
});
