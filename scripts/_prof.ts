import { simulateStep, preset, defaultSetup } from "@hbmscope/model";
import { timeline } from "@hbmscope/core";
const m = preset("llama-2-7b");
const setup = { ...defaultSetup, method: "lora" as const, seq: 2048 };
for (let i = 0; i < 3; i++) simulateStep(m, setup);
let t0 = performance.now(); const tr = simulateStep(m, setup); let t1 = performance.now();
timeline(tr); let t2 = performance.now();
console.log("sim", (t1 - t0).toFixed(1), "timeline", (t2 - t1).toFixed(1), "events", tr.events.length);
