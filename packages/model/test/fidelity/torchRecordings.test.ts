import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace } from "@hbmscope/core";
import { compareRecording } from "../../src/index.js";

/**
 * The simulator against real runs: traces of Hugging Face transformers 5.17 + PEFT 0.21 on PyTorch
 * 2.13 (CPU), recorded by scripts/torch/record.py (`python scripts/torch/record-all.py` regenerates
 * them). `fixtures/torch` holds the configurations the simulator was developed against,
 * `fixtures/torch/holdout` configurations it was checked on afterwards, unseen.
 */
const dirs = ["torch", join("torch", "holdout")].map((d) => join(import.meta.dirname, "..", "fixtures", d));
const files = dirs.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".trace.json")).map((f) => join(dir, f)) : []));

describe("compareRecording() against recorded PyTorch runs", () => {
  it("compareRecording() has at least 20 recorded configurations to check", () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of files) {
    const name = file.replace(/^.*[\\/]/, "").replace(".trace.json", "");
    it(`compareRecording() ${name}: simulated peak within 1% of the recorded one, same phase, model states within 2%`, () => {
      const r = compareRecording(parseTrace(JSON.parse(readFileSync(file, "utf8"))));
      expect(Math.abs(r.error)).toBeLessThanOrEqual(0.01);
      expect(r.simulatedPhase).toBe(r.recordedPhase);
      for (const [k, v] of Object.entries(r.states)) {
        // A tied embedding's gradient waits in autograd's input buffer until the embedding's own backward
        // adds to it; PyTorch's profiler files it as a temporary until then (hbmscope: a gradient).
        const pending = k === "gradient" && r.tiedGradientPending ? r.tiedGradientBytes : 0;
        if (v.recorded === 0 && pending === 0) expect(v.simulated, k).toBe(0);
        else expect(Math.abs(v.simulated - pending - v.recorded) / v.recorded, k).toBeLessThanOrEqual(0.02);
      }
    });
  }

  it("compareRecording() is within 1% on average over every recording", () => {
    const all = files.map((f) => compareRecording(parseTrace(JSON.parse(readFileSync(f, "utf8")))));
    const mean = all.reduce((s, r) => s + Math.abs(r.error), 0) / all.length;
    expect(mean).toBeLessThanOrEqual(0.01);
  });
});
