import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { withBackend } from "../src/index.js";

describe("withBackend()", () => {
  it("withBackend() runs on the backend and selects the previous one again, also on throw", async () => {
    await tf.setBackend("cpu");
    expect(await withBackend("wasm", () => tf.getBackend())).toBe("wasm");
    expect(tf.getBackend()).toBe("cpu");
    await expect(withBackend("wasm", () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(tf.getBackend()).toBe("cpu");
  });

  it("withBackend() names the accepted backends for an unknown one", async () => {
    await expect(withBackend("webgpu" as never, () => 1)).rejects.toThrow('backend: unknown backend "webgpu"; accepted: wasm, cpu, tensorflow');
  });

  it("withBackend('tensorflow') says how to install tfjs-node when it is absent", async () => {
    await expect(withBackend("tensorflow", () => 1)).rejects.toThrow(/npm i @tensorflow\/tfjs-node.*tfjs-node-gpu.*CUDA 11\.2 and cuDNN 8\.1/);
  });
});
