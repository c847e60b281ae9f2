import { expect, it } from "vitest";
import { defaultSetup, estimate, preset, withSetup } from "@hbmscope/model";
import { breakdownScenario } from "../src/index.js";

it("breakdownScenario() parts sum to the estimate's total", () => {
  for (const method of ["full", "lora", "qlora"] as const) {
    const e = estimate(preset("llama-2-7b"), withSetup(defaultSetup, (d) => void (d.method = method)));
    const s = breakdownScenario(method, e);
    expect(s.parts.reduce((sum, p) => sum + p.bytes, 0)).toBeCloseTo(e.total, 0);
    expect(s.label).toBe(method);
  }
});
