import { describe, expect, it } from "vitest";
import { Resvg } from "@resvg/resvg-js";
import { attentionChart, breakdownChart, escapeXml, monitorChart, segmentChart, timelineChart, type Figure } from "../src/index.js";
import { attentionComparison, firstFitRun, monitorRun, trainingStepTrace } from "./fixtures.js";

const evil = "<script>alert(1)</script>";
const amp = "a & b";

/** Every chart, fed the two hostile names wherever it takes text from data. */
function hostileFigures(): [string, Figure][] {
  const t = trainingStepTrace({ op: evil, phaseLabel: amp });
  for (const b of t.buffers) if (b.op === "AdamState") b.op = evil;
  const run = firstFitRun(t);
  run.allocator = { name: amp };
  const rows = attentionComparison().rows.map((r) => ({ ...r, variant: r.variant === "flash" ? evil : r.variant === "naive" ? amp : r.variant, mode: r.mode === "train" ? evil : r.mode }));
  return [
    ["timelineChart", timelineChart(t, { run, title: amp })],
    ["segmentChart", segmentChart(run, t, { title: evil })],
    ["breakdownChart", breakdownChart([{ label: evil, parts: [{ name: amp, bytes: 1e9 }, { name: evil, bytes: 2e9 }] }], { tiers: [{ label: evil, bytes: 2e9 }], title: amp })],
    ["attentionChart", attentionChart({ rows }, { title: evil })],
    ["monitorChart", monitorChart(monitorRun().map((c) => ({ ...c, name: evil })), { title: amp, predicted: { bytes: 1e9, label: evil } })],
  ];
}

describe("escaping", () => {
  for (const [name, fig] of hostileFigures()) {
    it(`${name}() shows names from data as text, never markup`, () => {
      expect(fig.svg).not.toContain("<script");
      expect(fig.svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(fig.svg).toContain("a &amp; b");
      expect(fig.svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;|#39;)/);
      // resvg parses the markup as XML: it throws on anything that is not well-formed.
      expect(() => new Resvg(fig.svg).render()).not.toThrow();
    });
  }

  it("escapeXml() replaces the five XML specials and drops control characters", () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0001`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
