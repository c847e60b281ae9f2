import { simulateStep, preset, defaultSetup } from "@hbmscope/model";
import { timeline } from "@hbmscope/core";
const m = preset("llama-2-7b");
for (const L of [2, 3, 32]) {
  const model = { ...m, layers: L };
  const t0 = performance.now();
  let tr; for (let i = 0; i < 5; i++) tr = simulateStep(model, { ...defaultSetup, method: "lora", seq: 2048 });
  const tl = timeline(tr!);
  console.log(L, ((performance.now() - t0) / 5).toFixed(2), "ms", tr!.events.length, tl.peak.bytes, tl.peak.phase, JSON.stringify(tl.phasePeaks.map(p=>[p.phase,p.bytes])));
}
