import { describe, expect, it } from "vitest";
import { defaultSetup, preset, simulateStep, withSetup } from "../../../src/index.js";

describe("symbolicEngine", () => {
  it("clone() inside a kernel (a tensor saved for backward) is named after its source, op and scope, as the tracer names it", () => {
    const model = { ...preset("gpt2-small"), layers: 1 };
    const setup = withSetup(defaultSetup, (d) => {
      d.precision = "fp32";
      d.batch = 1;
      d.seq = 32;
    });
    for (const backend of ["wasm", "cpu"] as const) {
      const trace = simulateStep(model, setup, { semantics: "tfjs", backend });
      const copies = trace.buffers.filter((b) => b.op?.endsWith(" (copy)"));
      expect(copies.length).toBeGreaterThan(0);
      expect(trace.buffers.some((b) => b.op === "Identity" && b.category === "activation")).toBe(false);
      // Each copy sits in the scope of a buffer made by the op it names.
      for (const c of copies.slice(0, 50)) {
        const op = c.op!.slice(0, -" (copy)".length);
        expect(trace.buffers.some((b) => b.op === op && b.scope === c.scope)).toBe(true);
      }
    }
  });
});
