import { cachingAllocator, replay, timeline } from "@hbmscope/core";
import { defaultSetup, preset, simulatePipeline, simulateStep, withSetup } from "@hbmscope/model";
import { measure, report } from "./measure.js";

/**
 * The step simulator at scale: one training step of Llama-2-70B at seq 4096 (80 layers), eager and
 * tfjs-style rules where they apply, then a replay of that trace through `cachingAllocator`.
 * Targets: simulation under 1 s; replay well under 1 s; heap growth bounded (reported).
 */
export function simBench() {
  const model = preset("llama-2-70b");
  const cases = [
    ["llama-2-70b full mixed, naive", withSetup(defaultSetup, (s) => { s.seq = 4096; })],
    ["llama-2-70b full mixed, flash + full checkpointing", withSetup(defaultSetup, (s) => { s.seq = 4096; s.attention = "flash"; s.checkpointing = "full"; })],
    ["llama-2-70b qlora, flash + full checkpointing", withSetup(defaultSetup, (s) => { s.seq = 4096; s.attention = "flash"; s.checkpointing = "full"; s.method = "qlora"; })],
  ] as const;
  for (const [name, setup] of cases) {
    const heapBefore = process.memoryUsage().heapUsed;
    let trace = simulateStep(model, setup);
    const ms = measure(() => (trace = simulateStep(model, setup)), { runs: 5 });
    const heap = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    report(`simulateStep ${name}`, ms, trace.events.length);
    console.log(`  ${trace.events.length} events, ${trace.buffers.length} buffers, peak ${(timeline(trace).peak.bytes / 2 ** 30).toFixed(1)} GiB; heap +${heap.toFixed(0)} MiB; target < 1000 ms: ${ms < 1000 ? "met" : "MISSED"}`);
    const replayMs = measure(() => replay(trace, cachingAllocator()), { runs: 5 });
    const run = replay(trace, cachingAllocator());
    report(`  replay(cachingAllocator)`, replayMs, trace.events.length);
    console.log(`  reserved peak ${(run.peaks.reserved.bytes / 2 ** 30).toFixed(1)} GiB; target < 1000 ms: ${replayMs < 1000 ? "met" : "MISSED"}`);
  }
  // Pipeline: a 4-stage 1F1B step of Llama-2-7B with 8 microbatches, every stage (issue 19: under 1 s).
  const pipeSetup = withSetup(defaultSetup, (s) => { s.pp = 4; s.implementation = "fused"; });
  let sim = simulatePipeline(preset("llama-2-7b"), pipeSetup, { schedule: "1f1b", microbatches: 8 });
  const pipeMs = measure(() => (sim = simulatePipeline(preset("llama-2-7b"), pipeSetup, { schedule: "1f1b", microbatches: 8 })), { runs: 5 });
  const events = sim.stages.reduce((n, st) => n + st.trace.events.length, 0);
  report("simulatePipeline llama-2-7b 1f1b, 4 stages, 8 microbatches", pipeMs, events);
  console.log(`  stage peaks ${sim.stages.map((st) => (st.peakBytes / 2 ** 30).toFixed(2)).join(", ")} GiB; target < 1000 ms: ${pipeMs < 1000 ? "met" : "MISSED"}`);

}
