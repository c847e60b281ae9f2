/**
 * `pnpm docs:tour`: regenerates the README tour's charts from real runs (wasm backend):
 * docs/img/timeline.svg, a traced tfjs training step (naive attention, seq 1024, the `pnpm demo`
 * model) with PyTorch's caching allocator replayed over it; docs/img/attention.svg, every attention
 * variant at seq 256, 512 and 1024, training step and forward pass.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { cachingAllocator, replay } from "@hbmscope/core";
import { compareAttention, profileStep } from "@hbmscope/tfjs";
import { attentionChart, timelineChart } from "@hbmscope/viz";

const dir = resolve(import.meta.dirname, "../docs/img");
mkdirSync(dir, { recursive: true });
const log = (message: string) => process.stderr.write(`${message}\n`);

log("docs:tour: profiling the seq-1024 step (naive attention)");
const { trace } = await profileStep({ seq: 1024, attention: "naive" }, { backend: "wasm" });
const run = replay(trace, cachingAllocator());
const timeline = timelineChart(run, { trace, title: "tfjs training step, naive attention, seq 1024: live bytes and caching-allocator reserve" });
writeFileSync(resolve(dir, "timeline.svg"), timeline.svg);

const rows = [];
for (const mode of ["train", "forward"] as const) {
  rows.push(...(await compareAttention({ config: { mode }, seqs: [256, 512, 1024], backend: "wasm", onProgress: log })));
}
writeFileSync(resolve(dir, "attention.svg"), attentionChart({ rows }).svg);
log(`docs:tour: wrote ${dir}/timeline.svg and attention.svg`);
