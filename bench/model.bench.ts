import { defaultSetup, estimate, maxBatch, preset, suggest, withSetup } from "@hbmscope/model";
import { measure } from "./measure.js";

/** Closed-form estimates per second (target >= 100,000), and the cost of maxBatch and suggest. */
export function modelBench() {
  const llama = preset("llama-2-7b");
  const setups = [
    withSetup(defaultSetup, (d) => { d.method = "lora"; d.checkpointing = "full"; d.attention = "flash"; }),
    withSetup(defaultSetup, (d) => { d.batch = 4; d.tp = 2; d.pp = 4; d.dp = 8; d.zero = 3; }),
    withSetup(defaultSetup, (d) => { d.method = "qlora"; d.optimizer = "adamw-8bit"; d.seq = 4096; }),
  ];
  const N = 100_000;
  let k = 0;
  const ms = measure(() => {
    for (let i = 0; i < N; i++) estimate(llama, setups[k++ % setups.length]);
  });
  const rate = (N / ms) * 1000;
  console.log(`estimate, ${N} calls over 3 setups: ${ms.toFixed(1)} ms, ${Math.round(rate).toLocaleString("en-US")} estimates/s (target >= 100,000: ${rate >= 100_000 ? "met" : "MISSED"})`);
  const mb = measure(() => maxBatch(llama, setups[0], "80GB"), { runs: 20 });
  console.log(`maxBatch(llama-2-7b LoRA, 80GB): ${mb.toFixed(2)} ms`);
  const full = withSetup(setups[0], (d) => { d.method = "full"; d.checkpointing = "none"; d.attention = "naive"; d.batch = 8; });
  const sg = measure(() => suggest(llama, full, "80GB"), { runs: 10 });
  console.log(`suggest(llama-2-7b full, batch 8, 80GB): ${sg.toFixed(2)} ms`);
}
