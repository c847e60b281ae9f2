import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { cachingAllocator, importTorchSnapshot, replay, timeline, toPerfetto, traceBuilder } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { traceEventFormatErrors } from "./traceEventFormat.js";

function step() {
  const b = traceBuilder({ source: "test" });
  b.mark("forward");
  const w = b.alloc({ bytes: 4096, category: "weight" }, 0);
  const a = b.alloc({ bytes: 1024, category: "activation" }, 1);
  b.mark("backward");
  b.alloc({ bytes: 4096, category: "gradient" }, 2);
  b.free(a, 3);
  b.mark("layer boundary", "note");
  b.mark("optimizer");
  b.free(w, 4.5);
  return b.build();
}

describe("toPerfetto", () => {
  it("toPerfetto() writes valid trace-event JSON with a counter track per category", () => {
    const doc = JSON.parse(JSON.stringify(toPerfetto(step())));
    expect(traceEventFormatErrors(doc)).toEqual([]);
    const counters = new Set(doc.traceEvents.filter((e: any) => e.ph === "C").map((e: any) => e.name));
    expect(counters).toEqual(new Set(["weight", "activation", "gradient", "memory"]));
  });

  it("toPerfetto() counts live bytes per category and in total, at the events' times in µs", () => {
    const doc = toPerfetto(step());
    const act = doc.traceEvents.filter((e) => e.ph === "C" && e.name === "activation").map((e) => [e.ts, e.args!.bytes]);
    expect(act).toEqual([[0, 0], [1000, 1024], [3000, 0]]);
    const mem = doc.traceEvents.filter((e) => e.ph === "C" && e.name === "memory").map((e) => e.args!.live);
    expect(mem).toEqual([0, 4096, 5120, 9216, 8192, 4096]);
    expect(doc.otherData.clock).toBe("trace time");
  });

  it("toPerfetto() writes an instant per mark and a slice per phase", () => {
    const doc = toPerfetto(step());
    expect(doc.traceEvents.filter((e) => e.ph === "i").map((e) => [e.name, e.ts])).toEqual([
      ["forward", 0], ["backward", 2000], ["layer boundary", 4500], ["optimizer", 4500],
    ]);
    expect(doc.traceEvents.filter((e) => e.ph === "X").map((e) => [e.name, e.ts, e.dur])).toEqual([
      ["forward", 0, 2000], ["backward", 2000, 2500], ["optimizer", 4500, 0],
    ]);
  });

  it("toPerfetto() adds PyTorch's reserved bytes to the memory counter for imported snapshots", () => {
    const t = importTorchSnapshot(new Uint8Array(readFileSync(new URL("../fixtures/snapshot-fresh.pickle", import.meta.url))));
    const mem = toPerfetto(t).traceEvents.filter((e) => e.ph === "C" && e.name === "memory");
    expect(Math.max(...mem.map((e) => e.args!.reserved as number))).toBe(64 * 2 ** 20);
    expect(mem.at(-1)!.args!.reserved).toBe(44 * 2 ** 20);
  });

  it("toPerfetto() with a replay adds its reserved and allocated bytes, and keeps the last figures after an OOM", () => {
    const t = step();
    const mem = (run: ReturnType<typeof replay>) => toPerfetto(t, { run }).traceEvents.filter((e) => e.ph === "C" && e.name === "memory");
    const full = mem(replay(t, cachingAllocator(), { view: "physical" }));
    expect(full.map((e) => e.args!.reserved)).toEqual([0, 2 ** 21, 2 ** 21, 2 ** 21, 2 ** 21, 2 ** 21]);
    expect(full.map((e) => e.args!.allocated)).toEqual([0, 4096, 5120, 9216, 8192, 4096]);
    const cut = mem(replay(t, cachingAllocator(), { view: "physical", capacity: 2 ** 20 }));
    expect(traceEventFormatErrors({ traceEvents: cut })).toEqual([]);
    expect(new Set(cut.slice(1).map((e) => e.args!.reserved)).size).toBe(1);
  });

  test.prop([traceArbitrary({ maxBuffers: 15 })])("toPerfetto() of any trace is valid trace-event JSON whose last total is the timeline's end", (t) => {
    const doc = toPerfetto(t);
    expect(traceEventFormatErrors(JSON.parse(JSON.stringify(doc)))).toEqual([]);
    const mem = doc.traceEvents.filter((e) => e.ph === "C" && e.name === "memory");
    expect(mem.at(-1)!.args!.live).toBe(timeline(t).end);
  });
});
