/**
 * `pnpm run docs` (pnpm 12 reserves `pnpm docs`): regenerates docs/img/*.svg from real runs, so the pictures in the README and the
 * guide are what the code does today:
 * - a profiled tfjs training step (wasm) with naive and with flash attention, and the naive step
 *   replayed through PyTorch's caching allocator (timeline with reserved line, memory map);
 * - the attention comparison (training and forward) over sequence lengths;
 * - the estimator's breakdown for Llama-2-7B (full, LoRA, QLoRA) against the GPU tiers;
 * - a simulated Llama-2-7B QLoRA step replayed through the caching allocator, and the full
 *   fine-tune that does not fit in 16 GB (capacity line, OOM, what the step would have needed);
 * - Llama-2-7B on 4 pipeline stages under GPipe, 1F1B and interleaved 1F1B (`simulate --schedules`);
 * - "estimate, then watch": `hbmscope monitor --from` the example nvidia-smi log, against the estimate.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cachingAllocator, replay } from "@hbmscope/core";
import { defaultSetup, estimate, gpuTiers, preset, simulateStep, withSetup } from "@hbmscope/model";
import { compareAttention, profileStep } from "@hbmscope/tfjs";
import { attentionChart, breakdownChart, segmentChart, timelineChart } from "@hbmscope/viz";
import { breakdownScenario, main } from "@hbmscope/cli";
import { setupSubtitle } from "../packages/cli/src/setupSubtitle.js";
import { stepSubtitle } from "../packages/cli/src/stepSubtitle.js";
import { stepConfig } from "@hbmscope/tfjs/config";
import { EXAMPLE_FLAGS } from "./exampleMonitorLog.js";

const dir = new URL("../docs/img/", import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const write = (name: string, svg: string) => {
  writeFileSync(dir + name, svg);
  console.log(`docs/img/${name} (${(svg.length / 1024).toFixed(0)} KiB)`);
};

const step = { vocab: 256, hidden: 64, heads: 4, layers: 2, batch: 2, seq: 512 };
for (const attention of ["naive", "flash"] as const) {
  const { trace } = await profileStep({ ...step, attention }, { backend: "wasm" });
  const title = `tfjs training step, ${attention} attention, seq ${step.seq} (wasm, physical view)`;
  const subtitle = stepSubtitle(stepConfig({ ...step, attention }), "wasm");
  write(`timeline-${attention}.svg`, timelineChart(trace, { view: "physical", title, subtitle }).svg);
  if (attention === "naive") {
    const run = replay(trace, cachingAllocator(), { view: "physical" });
    write("timeline-naive-caching.svg", timelineChart(trace, { run, title: "The same step replayed through PyTorch's caching allocator", subtitle }).svg);
    write("segments-naive-caching.svg", segmentChart(run, trace, { title: "Caching allocator memory map of the naive step", subtitle }).svg);
  }
}

const rows = [];
for (const mode of ["train", "forward"] as const) {
  rows.push(...(await compareAttention({ config: { ...step, layers: 1, mode }, seqs: [128, 256, 512, 1024], backend: "wasm" })));
}
const attentionSubtitle = stepSubtitle(stepConfig({ ...step, layers: 1 }), "wasm")
  .split(" · ")
  .filter((p) => !/^(seq|attention|train step)/.test(p))
  .concat("seqs 128, 256, 512, 1024")
  .join(" · ");
write("attention.svg", attentionChart({ rows }, { title: "Peak memory by sequence length, per attention variant (tfjs, wasm)", subtitle: attentionSubtitle }).svg);

const llama = preset("llama-2-7b");
const base = withSetup(defaultSetup, (d) => {
  d.precision = "mixed";
  d.batch = 1;
  d.seq = 2048;
  d.attention = "flash";
  d.checkpointing = "full";
});
const scenarios = (["full", "lora", "qlora"] as const).map((method) =>
  breakdownScenario(method === "full" ? "full fine-tuning" : method === "lora" ? "LoRA r=8" : "QLoRA r=8", estimate(llama, withSetup(base, (d) => void (d.method = method)))),
);
write(
  "breakdown-llama-2-7b.svg",
  breakdownChart(scenarios, { title: "Llama-2-7B, batch 1 × 2048, bf16 mixed, flash, full checkpointing", subtitle: setupSubtitle(base, ["estimate"]).replace(/^full fine-tune · /, "full / LoRA / QLoRA · "), tiers: gpuTiers }).svg,
);

const qlora = withSetup(base, (d) => void (d.method = "qlora"));
const simulated = simulateStep(llama, qlora, { semantics: "eager" });
const simRun = replay(simulated, cachingAllocator());
write(
  "simulated-llama-2-7b-qlora.svg",
  timelineChart(simulated, { run: simRun, title: "Simulated Llama-2-7B QLoRA step (eager semantics), caching allocator", subtitle: `llama-2-7b · ${setupSubtitle(qlora, ["simulated (eager semantics)"])}` }).svg,
);

// What `hbmscope simulate --model llama-2-7b --capacity 16GB --svg` draws: the full fine-tune does not fit.
const oomCode = await main(["simulate", "--model", "llama-2-7b", "--capacity", "16GB", "--svg", "docs/img/simulated-llama-2-7b-16gb-oom.svg"], {
  stdout: () => {},
  stderr: () => {},
  cwd: new URL("..", import.meta.url).pathname,
});
if (oomCode !== 3) throw new Error(`simulate --capacity 16GB exited with ${oomCode}, expected 3 (out of memory)`);
console.log("docs/img/simulated-llama-2-7b-16gb-oom.svg");

const root = new URL("..", import.meta.url).pathname;
const code = await main(["monitor", "--from", "examples/monitor/llama-2-7b-lora.smi.csv", "--expect", EXAMPLE_FLAGS, "--svg", "docs/img/monitor-llama-2-7b-lora.svg"], {
  stdout: () => {},
  stderr: (t) => void process.stderr.write(t),
  cwd: root,
});
if (code !== 0) throw new Error(`monitor --from the example log exited with ${code}`);
console.log("docs/img/monitor-llama-2-7b-lora.svg");

const pipeline = await main(
  ["simulate", "--model", "llama-2-7b", "--pp", "4", "--microbatches", "8", "--implementation", "fused", "--schedules", "gpipe,1f1b,interleaved", "--capacity", "80GB", "--svg", "docs/img/pipeline-llama-2-7b.svg"],
  { stdout: () => {}, stderr: (t) => void process.stderr.write(t), cwd: root },
);
if (pipeline !== 0) throw new Error(`simulate --schedules exited with ${pipeline}`);
console.log("docs/img/pipeline-llama-2-7b.svg");
