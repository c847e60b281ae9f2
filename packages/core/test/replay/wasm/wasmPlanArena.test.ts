import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { cachingAllocator, PLAN_PROGRESS_EVERY, plannedArena, replay } from "@hbmscope/core";
import type { AllocatorInput } from "../../../src/replay/allocator.js";
import { planArena, planArenaWith, type PlanShape } from "../../../src/replay/allocators/plannedArena.js";
import { replayWasmInstance } from "../../../src/replay/wasm/replayWasmInstance.js";
import { wasmPlanArena } from "../../../src/replay/wasm/wasmPlanArena.js";
import type { PlanWasmExports } from "../../../src/replay/wasm/planWasmExports.js";

/**
 * Random programs as allocator inputs: allocs of a few repeated sizes, of any size up to 2^45 bytes
 * (offsets past 2^32), or of 0 bytes; frees of a random live buffer (some never freed); a buffer
 * out of view now and then. Lifetimes nest, cross and outlive each other, so every kind of tree
 * node (covers, `starts`, scanned ranks, cached path unions) holds something.
 */
const program = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ alloc: fc.oneof(fc.constantFrom(64, 128, 4096, 100_000), fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 1, max: 2 ** 45 }), fc.constant(0)), out: fc.boolean() }) },
      { weight: 3, arbitrary: fc.record({ free: fc.nat() }) },
    ),
    { maxLength: 400, size: "max" },
  )
  .map((steps): AllocatorInput => {
    const bytes: number[] = [];
    const inView: number[] = [];
    const eventBuffer: number[] = [];
    const eventAlloc: number[] = [];
    const live: number[] = [];
    for (const s of steps) {
      if ("alloc" in s) {
        const b = bytes.length;
        bytes.push(s.alloc);
        inView.push(s.out && b % 5 === 0 ? 0 : 1);
        live.push(b);
        eventBuffer.push(b);
        eventAlloc.push(1);
      } else if (live.length) {
        eventBuffer.push(live.splice(s.free % live.length, 1)[0]);
        eventAlloc.push(0);
      }
    }
    return { bytes: Float64Array.from(bytes), inView: Uint8Array.from(inView), eventBuffer: Int32Array.from(eventBuffer), eventAlloc: Uint8Array.from(eventAlloc), capacity: Infinity };
  });

/** Every shape `planArena`'s branches depend on: cached levels, scanned levels, and the defaults. */
const shape = fc.record({ cacheSkip: fc.integer({ min: 0, max: 7 }), scanLevels: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: [] });

/** A plan and the progress calls it made. */
function plan(input: AllocatorInput, alignment: number, s: PlanShape, engine: "js" | "wasm") {
  const calls: [number, number][] = [];
  const result = planArenaWith(input, alignment, { ...s, onProgress: (placed, total) => calls.push([placed, total]) }, engine);
  return { ...result, calls };
}

/** Input of `buffers` buffers of many sizes, most freed soon, out of order (a few hundred live). */
function busyInput(buffers: number): AllocatorInput {
  const bytes = new Float64Array(buffers);
  const eventBuffer: number[] = [];
  const eventAlloc: number[] = [];
  const live: number[] = [];
  for (let i = 0; i < buffers; i++) {
    bytes[i] = 64 + ((i * 7919) % 4096);
    live.push(i);
    eventBuffer.push(i);
    eventAlloc.push(1);
    if (live.length > 300 || i % 3 === 2) {
      eventBuffer.push(live.splice((i * 31) % live.length, 1)[0]);
      eventAlloc.push(0);
    }
  }
  return { bytes, inView: new Uint8Array(buffers).fill(1), eventBuffer: Int32Array.from(eventBuffer), eventAlloc: Uint8Array.from(eventAlloc), capacity: Infinity };
}

describe("wasmPlanArena()", () => {
  test.prop([program, shape, fc.constantFrom(1, 64, 512)], { numRuns: 300 })(
    "wasmPlanArena() places every buffer where planArena does, whatever the shape (offsets, sizes, arena, progress calls)",
    (input, s, alignment) => {
      const js = plan(input, alignment, s, "js");
      const wasm = plan(input, alignment, s, "wasm");
      expect(wasm.offset).toEqual(js.offset);
      expect(wasm.size).toEqual(js.size);
      expect(wasm.arena).toBe(js.arena);
      expect(wasm.calls).toEqual(js.calls);
    },
  );

  it("wasmPlanArena() calls onProgress as planArena does past PLAN_PROGRESS_EVERY placements (and at an exact multiple)", () => {
    for (const buffers of [2 * PLAN_PROGRESS_EVERY, 2 * PLAN_PROGRESS_EVERY + 123]) {
      const input = busyInput(buffers);
      const js = plan(input, 64, {}, "js");
      const wasm = plan(input, 64, {}, "wasm");
      expect(wasm.calls).toEqual(js.calls);
      expect(wasm.calls.length).toBe(buffers === 2 * PLAN_PROGRESS_EVERY ? 2 : 3);
      expect(wasm.offset).toEqual(js.offset);
      expect(wasm.arena).toBe(js.arena);
    }
  });

  it("wasmPlanArena() traps when a replay runs on the instance from onProgress, and planArenaWith then plans in JS without repeating progress calls", () => {
    const input = busyInput(PLAN_PROGRESS_EVERY + 50);
    const js = plan(input, 64, {}, "js");
    const other = plannedArenaTrace();
    const wasm = replayWasmInstance() as unknown as PlanWasmExports;
    // The driver alone throws: the replay overwrote the plan's memory.
    expect(() => wasmPlanArena(wasm, input, 64, 7, 3, () => void replay(other, cachingAllocator()))).toThrow("unreachable");
    // planArenaWith falls back to JS: the same plan and the same calls.
    const calls: [number, number][] = [];
    const result = planArenaWith(input, 64, { onProgress: (placed, total) => {
      calls.push([placed, total]);
      replay(other, cachingAllocator());
    } });
    expect(calls).toEqual(js.calls);
    expect(result.offset).toEqual(js.offset);
    expect(result.arena).toBe(js.arena);
    // And a plan made from onProgress (a nested planned replay) leaves the outer plan right too.
    const nested = planArenaWith(input, 64, { onProgress: () => void replay(other, plannedArena()) });
    expect(nested.offset).toEqual(js.offset);
  });

  it("plannedArena() makes its plan in the WebAssembly module where it compiles, with planArena's offsets", () => {
    const wasm = replayWasmInstance() as unknown as PlanWasmExports & { planM: { value: number } };
    planArenaWith(busyInput(10), 64, {}, "wasm");
    expect(wasm.planM.value).toBe(10);
    const input = busyInput(777);
    const t = {
      format: "hbmscope.trace" as const,
      version: 1 as const,
      meta: { source: "test" },
      buffers: Array.from(input.bytes, (bytes, id) => ({ id, bytes, category: "activation" as const })),
      events: Array.from(input.eventBuffer, (buffer, i) => ({ kind: input.eventAlloc[i] ? ("alloc" as const) : ("free" as const), buffer })),
      marks: [],
    };
    const run = replay(t, plannedArena());
    expect(wasm.planM.value).toBe(777);
    expect([...run.address]).toEqual([...planArena(input, 64).offset]);
  });

  it("planArenaWith() passes on what onProgress throws, as planArena does", () => {
    const input = busyInput(PLAN_PROGRESS_EVERY + 50);
    const fail = () => {
      throw new Error("stop");
    };
    expect(() => planArenaWith(input, 64, { onProgress: fail }, "wasm")).toThrow("stop");
    expect(() => planArenaWith(input, 64, { onProgress: fail })).toThrow("stop");
    expect(() => planArena(input, 64, { onProgress: fail })).toThrow("stop");
  });
});

/** A small trace with a few events, for replays made from onProgress. */
function plannedArenaTrace() {
  return {
    format: "hbmscope.trace" as const,
    version: 1 as const,
    meta: { source: "test" },
    buffers: [
      { id: 0, bytes: 3000, category: "activation" as const },
      { id: 1, bytes: 5000, category: "activation" as const },
    ],
    events: [
      { kind: "alloc" as const, buffer: 0 },
      { kind: "alloc" as const, buffer: 1 },
      { kind: "free" as const, buffer: 0 },
    ],
    marks: [],
  };
}
