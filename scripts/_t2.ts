import { estimate, simulateStep, preset, defaultSetup } from "@hbmscope/model";
import { timeline } from "@hbmscope/core";
for (const name of ["llama-2-7b", "tinyllama-1.1b"]) {
  const m = preset(name);
  for (const method of ["full", "lora"] as const) for (const attention of ["naive", "sdpa"] as const) for (const checkpointing of ["none", "full"] as const) {
    const setup = { ...defaultSetup, method, attention, checkpointing, seq: 1024 };
    const t0 = performance.now();
    const e = estimate(m, setup);
    const t1 = performance.now();
    const sim = timeline(simulateStep(m, setup));
    console.log(name, method, attention, checkpointing, (t1 - t0).toFixed(0) + "ms", e.peak.bytes, sim.peak.bytes, ((e.peak.bytes - sim.peak.bytes) / sim.peak.bytes * 100).toFixed(3) + "%", e.peak.phase, sim.peak.phase);
  }
}
