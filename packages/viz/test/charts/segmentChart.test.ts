import { describe, expect, it } from "vitest";
import { cachingAllocator, ideal, replay, traceBuilder } from "@hbmscope/core";
import { segmentChart, segmentLayout } from "../../src/index.js";
import { syntheticTrace } from "../../../../bench/syntheticTrace.js";
import { firstFitRun, trainingStepTrace } from "../fixtures.js";
import { assertSvgSnapshot } from "../snapshot.js";

describe("segmentChart", () => {
  it("segmentChart() of a first-fit replay matches its snapshot", () => {
    const t = trainingStepTrace();
    assertSvgSnapshot("segments-first-fit", segmentChart(firstFitRun(t), t).svg);
  });

  it("segmentChart() draws every segment and every placed block, coloured by category", () => {
    const t = trainingStepTrace();
    const run = firstFitRun(t);
    const L = segmentLayout(run, t);
    expect(L.segments).toHaveLength(run.segments.length);
    expect(L.blocks.reduce((a, g) => a + g.rects.length, 0)).toBe(t.buffers.length);
    const weights = L.blocks.find((g) => g.category === "weight")!;
    expect(weights.rects[0]).toEqual({ x0: 0, x1: t.events.length, y0: 0, y1: 8 * 2 ** 20 });
    expect(L.omitted).toBe(0);
  });

  it("segmentChart() packs separate address ranges without the gaps between them", () => {
    const t = trainingStepTrace();
    const run = firstFitRun(t);
    const far = { ...run, segments: run.segments.map((s, k) => ({ ...s, address: s.address + k * 2 ** 40 })), address: run.address.map((a, b) => (a < 0 ? a : a + run.segmentOf[b] * 2 ** 40)) };
    const L = segmentLayout(far, t);
    const total = run.segments.reduce((a, s) => a + s.bytes, 0);
    expect(Math.max(...L.segments.map((s) => s.y1))).toBe(total);
    expect(L.breaks).toHaveLength(run.segments.length - 1);
  });

  it("segmentChart() keeps the largest blocks when there are more than maxBlocks, and says so", () => {
    const t = syntheticTrace(4000);
    const fig = segmentChart(firstFitRun(t), t, { maxBlocks: 300 });
    const L = segmentLayout(firstFitRun(t), t, { maxBlocks: 300 });
    expect(L.blocks.reduce((a, g) => a + g.rects.length, 0)).toBe(300);
    expect(L.omitted).toBeGreaterThan(0);
    expect(fig.svg).toContain(`${L.omitted} of ${L.omitted + 300} blocks too small to see are left out`);
  });

  it("segmentChart() marks an OOM event", () => {
    const t = trainingStepTrace();
    const run = firstFitRun(t);
    const L = segmentLayout({ ...run, oom: { index: 20, buffer: 3, requested: 3 * 2 ** 30, capacity: 2 ** 30, free: 0, allocated: 0, reservedUnallocated: 0, attempted: 3 * 2 ** 30, message: "" } }, t);
    expect(L.oom).toEqual({ index: 20, label: "OOM: 3.00 GiB requested" });
  });

  it("segmentChart() of a real caching-allocator replay shows its segments; of ideal() says it has none", () => {
    const t = trainingStepTrace();
    const run = replay(t, cachingAllocator());
    const L = segmentLayout(run, t);
    expect(L.segments.length).toBe(run.segments.length);
    expect(Math.max(...L.segments.map((s) => s.y1))).toBe(run.segments.reduce((a, s) => a + s.bytes, 0));
    assertSvgSnapshot("segments-caching", segmentChart(run, t).svg);
    expect(() => segmentChart(replay(t, ideal()), t)).toThrow("segmentChart: the ideal allocator places no blocks (no segments, no addresses); replay with caching, bfc or planned");
  });

  it("segmentChart() rejects a run of another trace", () => {
    const t = trainingStepTrace();
    expect(() => segmentChart(firstFitRun(t), syntheticTrace(10))).toThrow(/the run places 25 buffers but the trace has/);
    expect(() => segmentChart({} as never, t)).toThrow(/expected a ReplayRun/);
  });

  it("segmentChart() groups segments thinner than a pixel and says so; the axis note starts at the axis", () => {
    const b = traceBuilder();
    b.alloc({ bytes: 8 * 2 ** 30, category: "weight" });
    // 300 buffers just under 1 MiB, all live: the small pool reserves a 2 MiB segment for every two.
    for (let i = 0; i < 300; i++) b.alloc({ bytes: 2 ** 20 - 512, category: "activation" });
    const t = b.build();
    const run = replay(t, cachingAllocator());
    expect(run.segments.length).toBeGreaterThan(100);
    const L = segmentLayout(run, t);
    expect(L.grouped.segments).toBe(run.segments.length - 1);
    expect(L.grouped.groups).toBeGreaterThan(0);
    expect(L.grouped.groups).toBeLessThan(L.grouped.segments);
    expect(L.segments.length).toBe(1 + L.grouped.groups);
    const perPixel = L.y.domain()[1] / (L.plot.bottom - L.plot.top);
    for (const r of L.segments) expect(r.y1 - r.y0).toBeGreaterThanOrEqual(Math.min(perPixel, 0.99 * perPixel));
    expect(L.note).toBe(`address (segments packed, bottom up); ${L.grouped.segments} segments thinner than a pixel drawn as ${L.grouped.groups} groups`);
    const { svg } = segmentChart(run, t);
    expect(svg).toContain(`<text x="${L.plot.left}" y="${L.plot.top - 8}" fill="#555">address (segments packed, bottom up); `);
    expect(svg).toContain(`segments thinner than a pixel are drawn as ${L.grouped.groups} grouped rectangles.`);
    // A replay whose segments are all visible groups nothing.
    expect(segmentLayout(firstFitRun(trainingStepTrace()), trainingStepTrace()).grouped).toEqual({ segments: 0, groups: 0 });
  });
});
