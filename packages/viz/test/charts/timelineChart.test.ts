import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { cachingAllocator, replay, timeline, traceBuilder } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { formatBytes, timelineChart, timelineLayout } from "../../src/index.js";
import { syntheticTrace } from "../../../../bench/syntheticTrace.js";
import { firstFitRun, trainingStepTrace } from "../fixtures.js";
import { assertSvgSnapshot } from "../snapshot.js";

const maxOf = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, v), 0);

/** Smallest y of a path's points (its highest point on screen). */
function topOfPath(d: string): number {
  const ys = [...d.matchAll(/-?[\d.]+,(-?[\d.]+)/g)].map((m) => Number(m[1]));
  return Math.min(...ys);
}

describe("timelineChart", () => {
  it("timelineChart() of a training step matches its snapshot", () => {
    assertSvgSnapshot("timeline-training-step", timelineChart(trainingStepTrace()).svg);
  });

  it("timelineChart() with an allocator run matches its snapshot (reserved line, gap)", () => {
    const t = trainingStepTrace();
    assertSvgSnapshot("timeline-with-run", timelineChart(t, { run: firstFitRun(t) }).svg);
  });

  it("timelineChart() of 20,000 events matches its snapshot (downsampled)", () => {
    assertSvgSnapshot("timeline-20k", timelineChart(syntheticTrace(20_000), { width: 400, height: 250 }).svg);
  });

  it("timelineChart() labels the peak with its value, phase and op", () => {
    const { svg } = timelineChart(trainingStepTrace());
    expect(svg).toContain("peak 106.00 MiB · optimizer · AdamState");
    expect(svg).toMatch(/<desc>.*Peak 106.00 MiB \(111149056 bytes\) after event 39, phase optimizer, op AdamState/);
  });

  it("timelineChart() draws phase bands with their labels and a legend of the categories present", () => {
    const L = timelineLayout(trainingStepTrace());
    expect(L.phases.map((p) => p.label)).toEqual(["setup", "forward", "backward", "optimizer"]);
    expect(L.legend.map((e) => e.label)).toEqual(["weight", "optimizer", "gradient", "activation", "input", "temporary"]);
  });

  it("timelineChart() is standalone and deterministic", () => {
    const a = timelineChart(trainingStepTrace()).svg;
    expect(a).toBe(timelineChart(trainingStepTrace()).svg);
    expect(a).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="400" viewBox="0 0 800 400"/);
    expect(a).toContain("<title>Live memory by category (physical view)</title>");
  });

  it("timelineChart() accepts a Timeline, a Trace or a ReplayRun with its trace, and draws the same stack", () => {
    const t = trainingStepTrace();
    const fromTrace = timelineLayout(t);
    const fromTimeline = timelineLayout(timeline(t, { byCategory: true }), { trace: t });
    const fromRun = timelineLayout(firstFitRun(t), { trace: t });
    expect(Array.from(fromTimeline.layers.at(-1)!.top)).toEqual(Array.from(fromTrace.layers.at(-1)!.top));
    expect(Array.from(fromRun.layers.at(-1)!.top)).toEqual(Array.from(fromTrace.layers.at(-1)!.top));
    expect(fromRun.reserved?.peak).toBe(128 * 2 ** 20);
  });

  it("timelineChart() of a replay that ran out of memory stops the reserved line at the OOM event and marks it", () => {
    const t = trainingStepTrace();
    const run = replay(t, cachingAllocator(), { view: "physical", capacity: 64 * 2 ** 20 });
    expect(run.oom).not.toBeNull();
    const L = timelineLayout(t, { run });
    // 32 MiB of weights, 2 MiB input, two activations: the third activation (5 MiB) finds no room in 64 MiB.
    expect(run.oom!.index).toBe(12);
    expect(L.oom).toEqual({ x: 12, index: 12, label: `OOM at event 12: ${formatBytes(run.oom!.requested)} requested` });
    expect(L.reserved!.xEnd).toBe(12);
    const { svg } = timelineChart(t, { run });
    expect(svg).toContain('class="oom"');
    assertSvgSnapshot("timeline-oom", svg);
  });

  it("timelineChart() of a replay that ran out of memory draws the capacity line and fades what the step would have needed after it", () => {
    const t = trainingStepTrace();
    const run = replay(t, cachingAllocator(), { view: "physical", capacity: 64 * 2 ** 20 });
    const L = timelineLayout(t, { run });
    expect(L.capacity).toEqual({ bytes: 64 * 2 ** 20, label: "capacity 64.00 MiB" });
    expect(L.pastOom).toEqual({ from: 12, label: "after the OOM: what the step would have needed (peak 106.00 MiB)" });
    expect(L.peak.label).toBe("would need peak 106.00 MiB · optimizer · AdamState");
    expect(L.legend.map((e) => e.label)).toContain("capacity 64.00 MiB");
    const { svg } = timelineChart(t, { run });
    const cap = /<line class="capacity" x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)" y2="([\d.]+)"/.exec(svg)!;
    expect(Number(cap[1])).toBeCloseTo(L.y(64 * 2 ** 20), 1);
    expect(cap[1]).toBe(cap[2]);
    const past = /<rect class="past-oom" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg)!;
    expect(Number(past[1])).toBeCloseTo(L.x(12), 1);
    expect(Number(past[1]) + Number(past[2])).toBeCloseTo(L.plot.right, 1);
    expect(svg).toContain("after the OOM: what the step would have needed (peak 106.00 MiB)</text>");
    expect(L.desc).toContain("Device capacity 64.00 MiB (67108864 bytes). After the OOM the step is drawn faded");
    // Without a capacity: no capacity line, nothing faded.
    const free = timelineLayout(t, { run: replay(t, cachingAllocator(), { view: "physical" }) });
    expect([free.capacity, free.pastOom]).toEqual([null, null]);
  });

  it("timelineChart() draws a leader from the peak label to the exact peak point", () => {
    const trace = syntheticTrace(20_000);
    const L = timelineLayout(trace, { width: 400, height: 250 });
    const { svg } = timelineChart(trace, { width: 400, height: 250 });
    const leader = /<line class="peak-leader" x1="[\d.]+" y1="[\d.]+" x2="([\d.]+)" y2="([\d.]+)"/.exec(svg)!;
    expect(Number(leader[1])).toBeCloseTo(L.x(L.peak.x), 1);
    expect(Number(leader[2])).toBeCloseTo(L.y(L.peak.bytes), 1);
    const circle = /<g class="peak">[^]*?<circle cx="([\d.]+)" cy="([\d.]+)"/.exec(svg)!;
    expect([Number(circle[1]), Number(circle[2])]).toEqual([Number(leader[1]), Number(leader[2])]);
  });

  it("timelineChart() draws the subtitle under the title and leads the description with it", () => {
    const subtitle = "llama-2-7b · full fine-tune · flash attention · batch 1 · seq 4096";
    const { svg } = timelineChart(trainingStepTrace(), { subtitle });
    expect(svg).toContain(`<text class="subtitle" x="68" y="38" fill="#555">${subtitle}</text>`);
    expect(svg).toContain(`<desc>${subtitle}. Stacked area`);
    expect(timelineLayout(trainingStepTrace(), { subtitle }).plot.top).toBe(timelineLayout(trainingStepTrace()).plot.top + 18);
  });

  it("timelineChart() refuses a run of another view than the timeline's", () => {
    const t = trainingStepTrace();
    expect(() => timelineChart(timeline(t, { byCategory: true }), { trace: t, run: replay(t, cachingAllocator()) })).toThrow(
      'timelineChart: the timeline counts the physical view but the run replayed the backend view; use one view for both (replay(trace, allocator, { view: "physical" }))',
    );
    expect(timelineLayout(t, { run: replay(t, cachingAllocator()) }).reserved).not.toBeNull();
  });

  it("timelineChart() of a Timeline without categories draws one total layer", () => {
    const L = timelineLayout(timeline(trainingStepTrace()));
    expect(L.layers.map((l) => l.key)).toEqual(["total"]);
    expect(L.phases).toEqual([]);
  });

  it("timelineChart() puts events on a time axis with x: 'time'", () => {
    const b = traceBuilder();
    const a = b.alloc({ bytes: 100, category: "weight" }, 0);
    b.alloc({ bytes: 50, category: "activation" }, 10);
    b.free(a, 1000);
    const L = timelineLayout(b.build(), { x: "time" });
    expect(L.x.domain()).toEqual([0, 1000]);
    expect(Array.from(L.xs)).toEqual([0, 10, 1000]);
    expect(L.xLabel).toBe("time (ms)");
  });

  it("timelineChart() rejects x: 'time' without times, a run without its trace and a foreign input", () => {
    const b = traceBuilder();
    b.alloc({ bytes: 1, category: "weight" });
    expect(() => timelineChart(b.build(), { x: "time" })).toThrow(/x "time" needs a time on every event; events\[0\] has none/);
    const t = trainingStepTrace();
    expect(() => timelineChart(firstFitRun(t))).toThrow(/a ReplayRun needs its trace too/);
    expect(() => timelineChart({} as never)).toThrow(/expected a Trace, a Timeline/);
    expect(() => timelineChart(t, { width: 10 })).toThrow(/width and height must be at least 200 x 150 pixels, got 10 x 400/);
    expect(() => timelineChart(timeline(t), { trace: syntheticTrace(10) })).toThrow(/the timeline has 41 events but the trace has 10/);
  });

  it("timelineChart() of an empty trace draws axes and no peak", () => {
    const { svg } = timelineChart(traceBuilder().build());
    expect(svg).toContain("No live bytes.");
    expect(svg).not.toContain('class="peak"');
  });
});

describe("timelineChart peak preservation", () => {
  test.prop([fc.integer({ min: 1_000, max: 30_000 }), fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 200, max: 1600 })], { numRuns: 25 })(
    "timelineChart() of a long trace draws the true peak (layout and SVG path)",
    (events, seed, width) => {
      const trace = syntheticTrace(events, seed);
      const tl = timeline(trace);
      const L = timelineLayout(trace, { width });
      expect(maxOf(L.layers.at(-1)!.top)).toBe(tl.peak.bytes);
      expect(L.indices.length).toBeLessThanOrEqual(2 * (L.plot.right - L.plot.left + 1) + 2);
      const { svg } = timelineChart(trace, { width });
      const topPath = /<g class="layers">\n<path class="layer" data-key="\w+" d="([^"]+)"/.exec(svg)![1];
      expect(Math.abs(topOfPath(topPath) - L.y(tl.peak.bytes))).toBeLessThanOrEqual(0.05);
    },
  );

  test.prop([traceArbitrary({ maxBuffers: 40 }), fc.integer({ min: 200, max: 400 })])("timelineLayout() of any trace draws its peak", (trace, width) => {
    const L = timelineLayout(trace, { width });
    expect(maxOf(L.layers.at(-1)!.top)).toBe(timeline(trace).peak.bytes);
  });
});
