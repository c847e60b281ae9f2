import { estimate, preset, defaultSetup } from "@hbmscope/model";
const m = preset("llama-2-7b");
const gb = (x: number) => (x / 1e9).toFixed(1);
for (const method of ["full", "lora"] as const) for (const [impl, attention] of [["fused", "naive"], ["hf", "naive"], ["hf", "sdpa"], ["fused", "flash"]] as const) {
  const e = estimate(m, { ...defaultSetup, method, implementation: impl, attention });
  console.log(method, impl, attention, gb(e.total), gb(e.peak.activations), e.peak.phase);
}
