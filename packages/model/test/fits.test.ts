import { describe, expect, it } from "vitest";
import { defaultSetup, estimate, fits, maxBatch, preset, suggest, withSetup } from "../src/index.js";

const llama = preset("llama-2-7b");
const loraSetup = withSetup(defaultSetup, (d) => { d.method = "lora"; d.checkpointing = "full"; d.attention = "flash"; });
const fullSetup = withSetup(loraSetup, (d) => { d.method = "full"; });

describe("fits", () => {
  it("fits() compares the total with the GPU's bytes and reports the headroom", () => {
    const f = fits({ total: 20e9 }, "24GB");
    expect(f).toMatchObject({ fits: true, needed: 20e9, headroom: 23028 * 2 ** 20 - 20e9 });
    expect(fits({ total: 24564 * 2 ** 20 }, "RTX 4090").fits).toBe(true);
    expect(fits({ total: 24564 * 2 ** 20 + 1 }, "RTX 4090").fits).toBe(false);
  });
});
