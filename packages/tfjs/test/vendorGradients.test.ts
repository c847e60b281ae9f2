import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { tfjsGradientsBundle, VENDORED } from "../scripts/vendorGradients.js";

it("tfjsGradientsBundle() equals the committed vendor/tfjsGradients.js (rerun the script after a tfjs-core upgrade)", async () => {
  expect(await tfjsGradientsBundle()).toBe(readFileSync(VENDORED, "utf8"));
});
