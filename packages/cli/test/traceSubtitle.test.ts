import { describe, expect, it } from "vitest";
import { traceBuilder } from "@hbmscope/core";
import { defaultSetup, preset, simulateStep, withSetup } from "@hbmscope/model";
import { setupSubtitle } from "../src/setupSubtitle.js";
import { traceSubtitle } from "../src/traceSubtitle.js";

describe("traceSubtitle", () => {
  it("traceSubtitle() says a simulated step's model and setup, so two charts can be told apart", () => {
    const flash = withSetup(defaultSetup, (d) => {
      d.attention = "flash";
      d.checkpointing = "full";
      d.batch = 2;
      d.seq = 512;
    });
    const a = traceSubtitle(simulateStep({ ...preset("gpt2-small"), layers: 1 }, flash, { semantics: "eager" }));
    expect(a).toBe("gpt2-small · full fine-tune · mixed (bf16) · adamw · flash attention · checkpointing full · batch 2 · seq 512 · simulated (eager semantics)");
    const b = traceSubtitle(simulateStep({ ...preset("gpt2-small"), layers: 1 }, withSetup(flash, (d) => void (d.attention = "naive")), { semantics: "eager" }));
    expect(b).not.toBe(a);
  });

  it("traceSubtitle() of a tfjs trace gives its dimensions; of an imported one its origin; of a bare one its source or nothing", () => {
    const t = traceBuilder().build();
    const tfjs = { ...t, meta: { source: "tfjs", backend: "wasm", model: { vocab: 256, hidden: 64, heads: 4, layers: 1, ffn: 256 }, setup: { seq: 128, batch: 2, attention: "flash", blockSize: 64, norm: "layernorm", mode: "train", optimizer: "adamw" } } };
    expect(traceSubtitle(tfjs as never)).toBe("tfjs · train step · wasm · vocab 256 · hidden 64 · heads 4 · layers 1 · ffn 256 · seq 128 · batch 2 · attention flash (block 64) · layernorm · adamw");
    expect(traceSubtitle({ ...t, meta: { source: "imported", importedFrom: "pytorch-memory-snapshot" } } as never)).toBe("imported from pytorch-memory-snapshot");
    expect(traceSubtitle({ ...t, meta: {} } as never)).toBe("");
  });

  it("setupSubtitle() names the LoRA rank and the parallelism when there is any", () => {
    const s = withSetup(defaultSetup, (d) => {
      d.method = "lora";
      d.loraRank = 16;
      d.tp = 2;
      d.dp = 4;
      d.zero = 3;
    });
    expect(setupSubtitle(s, ["on 24GB"])).toBe(`lora r=16 · mixed (bf16) · adamw · ${s.attention} attention · checkpointing ${s.checkpointing} · batch ${s.batch} · seq ${s.seq} · dp 4 zero 3 · tp 2 · on 24GB`);
  });
});
