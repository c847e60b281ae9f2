import { readFileSync } from "node:fs";
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { parseTorchMemoryLog } from "../../src/index.js";

const fixture = readFileSync(new URL("../fixtures/counters/torch-memory.jsonl", import.meta.url), "utf8");

describe("parseTorchMemoryLog", () => {
  it("parseTorchMemoryLog() reads torch.cuda figures per device, from top-level keys and memory_stats", () => {
    const log = parseTorchMemoryLog(fixture);
    expect(log.lines).toBe(3);
    expect(log.startedAt).toBe("2024-05-01T12:00:00.000Z");
    const byKey = Object.fromEntries(log.counters.map((c) => [`${c.device}/${c.name}`, c]));
    expect(Object.keys(byKey)).toEqual(["0/allocated", "0/reserved", "0/peakAllocated", "0/peakReserved", "1/peakAllocated", "1/peakReserved"]);
    expect(byKey["0/allocated"].samples).toEqual([
      [0, 524288],
      [250, 1048576],
    ]);
    expect(byKey["0/peakReserved"].samples).toEqual([
      [0, 2097152],
      [250, 4194304],
    ]);
    expect(byKey["1/peakReserved"]).toMatchObject({ capacity: 85899345920, samples: [[500, 2097152]] });
  });

  it("parseTorchMemoryLog() spaces lines by step or line number without time", () => {
    const bySteps = parseTorchMemoryLog('{"step": 3, "max_memory_reserved": 10}\n{"step": 5, "max_memory_reserved": 20}\n', { interval: 100 });
    expect(bySteps.counters[0].samples).toEqual([
      [300, 10],
      [500, 20],
    ]);
    const byLines = parseTorchMemoryLog('{"max_memory_reserved": 10}\n\n{"max_memory_reserved": 20}\n', { interval: 100 });
    expect(byLines.counters[0].samples).toEqual([
      [0, 10],
      [100, 20],
    ]);
  });

  it("parseTorchMemoryLog() names the line for bad input", () => {
    expect(() => parseTorchMemoryLog("{\"max_memory_reserved\": 1}\nnot json\n")).toThrow(/^parseTorchMemoryLog: line 2: not valid JSON/);
    expect(() => parseTorchMemoryLog('{"step": 1}')).toThrow(/line 1: no memory figures; expected max_memory_allocated, max_memory_reserved/);
    expect(() => parseTorchMemoryLog('{"max_memory_reserved": -1}')).toThrow(/line 1: max_memory_reserved must be a non-negative integer of bytes, got -1/);
    expect(() => parseTorchMemoryLog('{"device": "cpu", "max_memory_reserved": 1}')).toThrow(/line 1: device must be an index or "cuda:N", got "cpu"/);
    expect(() => parseTorchMemoryLog('{"time": 2, "max_memory_reserved": 1}\n{"time": 1, "max_memory_reserved": 1}')).toThrow(/line 2: time goes back/);
  });

  fcTest.prop([fc.array(fc.record({ device: fc.nat(3), allocated: fc.nat(2 ** 40), reserved: fc.nat(2 ** 40) }), { minLength: 1, maxLength: 20 })])(
    "parseTorchMemoryLog() gives back every figure a loop logged",
    (rows) => {
      const text = rows.map((r, k) => JSON.stringify({ time: 1000 + k * 0.5, device: r.device, memory_stats: { "allocated_bytes.all.current": r.allocated }, memory_reserved: r.reserved })).join("\n");
      const log = parseTorchMemoryLog(text);
      for (const c of log.counters) {
        const key = c.name === "allocated" ? "allocated" : "reserved";
        expect(c.samples).toEqual(rows.flatMap((r, k) => (r.device === c.device ? [[k * 500, r[key]]] : [])));
      }
    },
  );

  fcTest.prop([fc.oneof(fc.string({ maxLength: 100 }), fc.json().map((j) => j + "\n" + j))])("parseTorchMemoryLog() either reads any text or throws its one-line error", (text) => {
    try {
      const log = parseTorchMemoryLog(text);
      for (const c of log.counters) for (const [t, v] of c.samples) expect(Number.isFinite(t) && Number.isSafeInteger(v)).toBe(true);
    } catch (e) {
      expect((e as Error).message).toMatch(/^parseTorchMemoryLog: line \d+: [^\n]+$/);
    }
  });
});
