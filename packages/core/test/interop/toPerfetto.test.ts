import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { importTorchSnapshot, timeline, toPerfetto, traceBuilder, type PerfettoTrace } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";

/**
 * The checks of the Trace Event Format (Google, "Trace Event Format" document; what
 * chrome://tracing and Perfetto's JSON importer accept): a `traceEvents` array of objects with a
 * string `name`, a known `ph`, integer `pid`/`tid`, numeric non-negative `ts` (µs) on non-metadata
 * events, `dur` >= 0 on complete events, numeric `args` on counters, scope g/p/t on instants;
 * and, for Perfetto, counter timestamps that never go back within one counter.
 */
function traceEventFormatErrors(doc: unknown): string[] {
  const errors: string[] = [];
  const d = doc as PerfettoTrace;
  if (d === null || typeof d !== "object" || !Array.isArray(d.traceEvents)) return ["no traceEvents array"];
  if (d.displayTimeUnit !== undefined && !["ms", "ns"].includes(d.displayTimeUnit)) errors.push("displayTimeUnit must be ms or ns");
  const lastCounterTs = new Map<string, number>();
  d.traceEvents.forEach((e, i) => {
    const at = `traceEvents[${i}]`;
    if (typeof e.name !== "string") errors.push(`${at}: name is not a string`);
    if (!["B", "E", "X", "i", "I", "C", "M", "b", "e", "n", "s", "t", "f", "P", "O", "N", "D"].includes(e.ph)) errors.push(`${at}: unknown ph ${e.ph}`);
    if (!Number.isInteger(e.pid)) errors.push(`${at}: pid is not an integer`);
    if (e.tid !== undefined && !Number.isInteger(e.tid)) errors.push(`${at}: tid is not an integer`);
    if (e.ph !== "M" && !(typeof e.ts === "number" && Number.isFinite(e.ts) && e.ts >= 0)) errors.push(`${at}: ts must be a non-negative number`);
    if (e.ph === "X" && !(typeof e.dur === "number" && e.dur >= 0)) errors.push(`${at}: complete event without dur >= 0`);
    if (e.ph === "i" && e.s !== undefined && !["g", "p", "t"].includes(e.s)) errors.push(`${at}: instant scope ${e.s}`);
    if (e.ph === "C") {
      if (!e.args || Object.keys(e.args).length === 0) errors.push(`${at}: counter without args`);
      for (const [k, v] of Object.entries(e.args ?? {})) if (typeof v !== "number" || !Number.isFinite(v)) errors.push(`${at}: counter arg ${k} is not a number`);
      const last = lastCounterTs.get(e.name) ?? -Infinity;
      if ((e.ts as number) < last) errors.push(`${at}: counter ${e.name} goes back in time`);
      lastCounterTs.set(e.name, e.ts as number);
    }
    if (e.ph === "M" && !(e.args && typeof e.args.name === "string")) errors.push(`${at}: metadata without args.name`);
  });
  return errors;
}

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

  test.prop([traceArbitrary({ maxBuffers: 15 })])("toPerfetto() of any trace is valid trace-event JSON whose last total is the timeline's end", (t) => {
    const doc = toPerfetto(t);
    expect(traceEventFormatErrors(JSON.parse(JSON.stringify(doc)))).toEqual([]);
    const mem = doc.traceEvents.filter((e) => e.ph === "C" && e.name === "memory");
    expect(mem.at(-1)!.args!.live).toBe(timeline(t).end);
  });
});
