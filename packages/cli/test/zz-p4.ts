import { defaultSetup, estimate, preset, withSetup } from "@hbmscope/model";
console.log("start");
const llama = preset("llama-2-7b");
const e = estimate(llama, withSetup(defaultSetup, (d) => { d.method = "qlora"; d.attention = "flash"; }));
console.log("qlora flash", e.total);
