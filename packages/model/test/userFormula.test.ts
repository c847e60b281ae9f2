// The README's example of a user's own formula checked against `estimate` (kept identical to the
// README block: test/readme.test.ts checks that).
import { test } from "@fast-check/vitest";
import { expect } from "vitest";
import { estimate, parameterCount } from "@hbmscope/model";
import { modelSpecArbitrary, setupArbitrary } from "@hbmscope/model/testing";

// My formula: mixed-precision AdamW keeps 16 bytes per parameter (2 + 2 + 12) on one GPU.
const myModelStates = (params: number) => 16 * params;

test.prop([
  modelSpecArbitrary({ maxLayers: 4, maxVocab: 8192 }).chain((model) =>
    setupArbitrary(model, { parallel: false }).map((setup) => ({
      model,
      setup: { ...setup, method: "full" as const, precision: "mixed" as const, optimizer: "adamw" as const },
    })),
  ),
])("my 16-bytes-per-parameter formula matches estimate()", ({ model, setup }) => {
  const e = estimate(model, setup);
  expect(e.weights.bytes + e.gradients.bytes + e.optimizer.bytes).toBe(myModelStates(parameterCount(model).total));
});
