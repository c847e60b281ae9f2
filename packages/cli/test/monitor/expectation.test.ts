import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { compareRun, splitWords, type Expectation } from "../../src/monitor/expectation.js";

describe("splitWords", () => {
  it("splitWords() splits estimate flags on spaces and keeps quoted words whole", () => {
    expect(splitWords(`--model llama-2-7b --gpu "A100 40GB"  --lora-targets 'q_proj,v_proj'`)).toEqual(["--model", "llama-2-7b", "--gpu", "A100 40GB", "--lora-targets", "q_proj,v_proj"]);
  });

  fcTest.prop([fc.array(fc.string({ unit: fc.constantFrom("a", "b", " ", "-", "1"), minLength: 1 }).filter((w) => w.trim() !== ""))])(
    "splitWords() gives back any words written double-quoted",
    (words) => {
      expect(splitWords(words.map((w) => `"${w}"`).join(" "))).toEqual(words);
    },
  );
});

describe("compareRun", () => {
  const expect_: Expectation = { device: 1100, reserved: 1000, from: "estimate", label: "estimate" };

  it("compareRun() holds nvidia-smi's used against the device prediction and a torch log's peakReserved against the reserved one", () => {
    const r = compareRun(
      [
        { name: "used", device: 0, capacity: 4000, samples: [[0, 100], [10, 1000], [20, 900]] },
        { name: "reserved", device: 1, samples: [[0, 600]] },
        { name: "peakReserved", device: 1, samples: [[0, 500], [5, 1250]] },
      ],
      expect_,
    );
    expect(r).toEqual([
      { device: 0, series: "used", capacity: 4000, observedPeak: 1000, observedPeakAt: 10, predictedPeak: 1100, errorBytes: 100, error: 0.1 },
      { device: 1, series: "peakReserved", capacity: null, observedPeak: 1250, observedPeakAt: 5, predictedPeak: 1000, errorBytes: -250, error: -0.2 },
    ]);
    expect(compareRun([{ name: "used", device: 0, samples: [[0, 5]] }], undefined)[0]).toMatchObject({ predictedPeak: null, errorBytes: null, error: null });
  });

  fcTest.prop([fc.array(fc.nat(2 ** 40), { minLength: 1, maxLength: 30 }), fc.nat(2 ** 40)])(
    "compareRun() error is negative exactly when the run used more than predicted",
    (values, predicted) => {
      const [g] = compareRun([{ name: "used", device: 0, samples: values.map((v, k) => [k, v]) }], { device: predicted, reserved: predicted, from: "x", label: "x" });
      expect(g.observedPeak).toBe(Math.max(...values));
      if (g.error !== null) expect(g.error < 0).toBe(g.observedPeak > predicted);
      else expect(g.observedPeak).toBe(0);
    },
  );
});
