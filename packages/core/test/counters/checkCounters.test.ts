import { describe, expect, it } from "vitest";
import { checkCounters, counterPeak, counterTrace, parseTrace, readTraceSource, serializeTrace } from "../../src/index.js";

const good = [{ name: "used", device: 0, unit: "bytes", capacity: 100, samples: [[0, 10], [5, 30], [5, 20]] }];

describe("checkCounters", () => {
  it("checkCounters() accepts a trace without counters and well-formed series", () => {
    expect(() => checkCounters(undefined)).not.toThrow();
    expect(() => checkCounters(good)).not.toThrow();
  });

  it("checkCounters() names the series, sample and rule that break", () => {
    expect(() => checkCounters({})).toThrow("counters: must be an array, got an object");
    expect(() => checkCounters([{ name: "", device: 0, samples: [] }])).toThrow("counters[0]: name must be a non-empty string");
    expect(() => checkCounters([{ name: "used", device: -1, samples: [] }])).toThrow("counters[0]: device must be a non-negative integer, got -1");
    expect(() => checkCounters([{ name: "used", device: 0, unit: "MiB", samples: [] }])).toThrow('counters[0]: unit must be "bytes", got "MiB"');
    expect(() => checkCounters([{ name: "used", device: 0, samples: [[0, 1.5]] }])).toThrow("counters[0].samples[0]: value must be a non-negative integer of bytes, got 1.5");
    expect(() => checkCounters([{ name: "used", device: 0, samples: [[3, 1], [2, 1]] }])).toThrow("counters[0].samples[1]: time 2 goes back before the previous sample's 3");
    expect(() => checkCounters([{ name: "used", device: 0, samples: [[0]] }])).toThrow("counters[0].samples[0]: a sample is a [time ms, bytes] pair, got an array");
  });

  it("checkCounters() runs in parseTrace and readTraceSource, which keep counters losslessly", () => {
    const t = counterTrace(good as never, { source: "nvidia-smi" });
    const text = serializeTrace(t);
    expect(parseTrace(text)).toEqual(t);
    const bytes = new TextEncoder().encode(text);
    const lazy = readTraceSource(() => [bytes.subarray(0, 40), bytes.subarray(40)]);
    expect(lazy.counters).toEqual(good);
    const bad = text.replace('"device":0', '"device":"gpu0"');
    expect(() => parseTrace(bad)).toThrow("counters[0]: device must be a non-negative integer");
  });
});

describe("counterPeak", () => {
  it("counterPeak() gives the first largest sample, and index -1 without samples", () => {
    expect(counterPeak({ name: "used", device: 0, samples: [[0, 1], [2, 9], [4, 9], [6, 3]] })).toEqual({ bytes: 9, time: 2, index: 1 });
    expect(counterPeak({ name: "used", device: 0, samples: [] })).toEqual({ bytes: 0, time: 0, index: -1 });
  });
});
