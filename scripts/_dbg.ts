import fc from "fast-check";
import { modelAndSetupArbitrary } from "../packages/model/src/testing.js";
import { simulateStep } from "../packages/model/src/index.js";
import { timeline } from "@hbmscope/core";
const small = modelAndSetupArbitrary({ model: { maxLayers: 3, maxHeads: 4, maxHeadDim: 16, maxVocab: 512 }, setup: { maxBatch: 3, maxSeq: 64, maxDegree: 4 } }).filter(({ setup }) => setup.pp === 1 && (!setup.sp || setup.seq % setup.tp === 0));
for (const { model, setup } of fc.sample(small, 300)) for (const mode of ["train", "forward"] as const) {
  const trace = simulateStep(model, { ...setup, implementation: "hf", loop: "keep-output", device: "cpu" }, { mode });
  const tl = timeline(trace);
  const start = tl.total[trace.marks.find((m) => m.label === "forward")!.at - 1];
  if (tl.end !== start) { console.log(mode, tl.end - start, JSON.stringify(setup), JSON.stringify(model), JSON.stringify(trace.meta.program)); process.exit(0); }
}
