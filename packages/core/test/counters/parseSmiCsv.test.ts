import { readFileSync } from "node:fs";
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { counterTrace, parseSmiCsv, parseTrace, serializeTrace } from "../../src/index.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/counters/${name}`, import.meta.url), "utf8");
const MiB = 2 ** 20;

describe("parseSmiCsv", () => {
  it("parseSmiCsv() reads a timestamped nvidia-smi -l log with header and units into a used series per GPU", () => {
    const log = parseSmiCsv(fixture("smi-timestamped.csv"));
    expect(log.lines).toBe(8);
    expect(log.startedAt).toBe("2024/05/01 12:00:00.000");
    expect(log.counters.map((c) => [c.name, c.device, c.capacity])).toEqual([
      ["used", 0, 81559 * MiB],
      ["used", 1, 81559 * MiB],
    ]);
    expect(log.counters[0].samples).toEqual([
      [0, 512 * MiB],
      [1003, 20480 * MiB],
      [2001, 61440 * MiB],
      [3000, 40960 * MiB],
    ]);
    expect(log.counters[1].samples[3]).toEqual([3002, 40000 * MiB]);
  });

  it("parseSmiCsv() numbers samples by interval in a log without header or timestamps", () => {
    const log = parseSmiCsv(fixture("smi-noheader.csv"), { interval: 200 });
    expect(log.startedAt).toBeUndefined();
    expect(log.counters[0].samples).toEqual([
      [0, 1000 * MiB],
      [200, 3000 * MiB],
      [400, 2000 * MiB],
    ]);
    expect(log.counters[1].samples.map((s) => s[0])).toEqual([0, 200, 400]);
    expect(log.counters[1].capacity).toBe(24564 * MiB);
  });

  it("parseSmiCsv() finds columns by header name and ignores the others", () => {
    const text = "name, index, utilization.gpu [%], memory.total [MiB], memory.used [MiB]\nNVIDIA H100, 3, 40 %, 81559 MiB, 100 MiB\n";
    const log = parseSmiCsv(text);
    expect(log.counters).toEqual([{ name: "used", device: 3, unit: "bytes", capacity: 81559 * MiB, samples: [[0, 100 * MiB]] }]);
  });

  it("parseSmiCsv() names the line and what is accepted for an unparsable line", () => {
    expect(() => parseSmiCsv("0, 100, 200\n0, [N/A], 200\n")).toThrow(/^parseSmiCsv: line 2: memory.used "\[N\/A\]" is not a number, got "0, \[N\/A\], 200"; expected "index, memory.used, memory.total"/);
    expect(() => parseSmiCsv("No devices were found\n")).toThrow(/^parseSmiCsv: line 1: 1 columns/);
    expect(() => parseSmiCsv("x, 1, 2\n")).toThrow(/line 1: GPU index "x" is not a non-negative integer/);
    expect(() => parseSmiCsv("2024/05/01 12:00:01.000, 0, 1, 2\n2024/05/01 12:00:00.000, 0, 1, 2\n")).toThrow(/line 2: GPU 0's time goes back/);
    expect(() => parseSmiCsv("0, 1, 2", { interval: 0 })).toThrow(/interval must be a positive number/);
  });

  it("parseSmiCsv() output makes a trace that round-trips through serializeTrace and parseTrace", () => {
    const t = counterTrace(parseSmiCsv(fixture("smi-timestamped.csv")).counters, { source: "nvidia-smi" });
    expect(parseTrace(serializeTrace(t))).toEqual(t);
  });

  // Every sample lists the same GPUs (as nvidia-smi does), with its own figures.
  const gpuRows = fc.uniqueArray(fc.nat(15), { minLength: 1, maxLength: 4 }).chain((indices) =>
    fc.array(fc.tuple(...indices.map((index) => fc.record({ index: fc.constant(index), used: fc.nat(200_000), total: fc.integer({ min: 1, max: 200_000 }) }))), { minLength: 1, maxLength: 12 }),
  );

  fcTest.prop([gpuRows, fc.boolean(), fc.boolean(), fc.boolean()])(
    "parseSmiCsv() gives back every sample of a log written in any of nvidia-smi's CSV shapes",
    (samples, header, units, stamps) => {
      const u = units ? " MiB" : "";
      const lines: string[] = [];
      if (header) lines.push(`${stamps ? "timestamp, " : ""}index, memory.used [MiB], memory.total [MiB]`);
      samples.forEach((rows, k) => {
        const ts = `2024/05/01 12:${String(Math.floor(k / 60)).padStart(2, "0")}:${String(k % 60).padStart(2, "0")}.000`;
        for (const r of rows) lines.push(`${stamps ? `${ts}, ` : ""}${r.index}, ${r.used}${u}, ${r.total}${u}`);
      });
      const log = parseSmiCsv(lines.join("\n"), { interval: 1000 });
      expect(log.lines).toBe(samples.flat().length);
      for (const c of log.counters) {
        const expected = samples.flatMap((rows, k) => rows.filter((r) => r.index === c.device).map((r) => [k * 1000, r.used * MiB]));
        expect(c.samples).toEqual(expected);
        for (const [, v] of c.samples) expect(Number.isSafeInteger(v)).toBe(true);
      }
    },
  );

  fcTest.prop([fc.string({ maxLength: 200 })])("parseSmiCsv() either reads any text or throws its one-line error", (text) => {
    try {
      const log = parseSmiCsv(text);
      for (const c of log.counters) for (const [t, v] of c.samples) expect(Number.isFinite(t) && Number.isSafeInteger(v)).toBe(true);
    } catch (e) {
      expect((e as Error).message).toMatch(/^parseSmiCsv: line \d+: [^\n]+$/);
    }
  });
});
