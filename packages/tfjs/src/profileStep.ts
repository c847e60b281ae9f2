import * as tf from "./tf.js";
import type { Trace } from "@hbmscope/core";
import { withBackend } from "./backends.js";
import type { BackendName } from "./backendNames.js";
import { stepConfig, type StepConfig } from "./stepConfig.js";
import { traceTfjs, type Accounting } from "./traceTfjs.js";
import { transformerStep, type RunOptions, type StepOutput } from "./transformerStep.js";

export interface ProfileOptions extends RunOptions {
  /** @defaultValue `"wasm"` */
  backend?: BackendName;
  /** Names options in errors (the CLI passes `--flag` names). @defaultValue the option's own name */
  name?: (option: string) => string;
}

export interface StepProfile {
  trace: Trace;
  output: StepOutput;
  accounting: Accounting;
  /** Wall time of the traced step (setup included), milliseconds. */
  ms: number;
  config: StepConfig;
}

/**
 * Traces one `transformerStep(config)` on a backend: the trace's `meta` records the backend, the
 * model (`vocab`, `hidden`, `heads`, `layers`, `ffn`) and the setup (the rest of the config).
 * On the wasm backend `meta.wasmHeapBytes` is the wasm heap size after the step (a coarse ground
 * truth: kernels' scratch inside the heap is seen by nothing else). The backend that was active
 * before is selected again afterwards.
 */
export async function profileStep(config: Partial<StepConfig> = {}, options: ProfileOptions = {}): Promise<StepProfile> {
  const c = stepConfig(config, options.name);
  const backend = options.backend ?? "wasm";
  return withBackend(backend, async () => {
    const step = transformerStep(c);
    const { vocab, hidden, heads, layers, ffn, ...setup } = c;
    const meta = { model: { vocab, hidden, heads, layers, ffn }, setup: { ...setup, embedding: c.embedding ?? (backend === "wasm" ? "onehot" : "gather") } };
    const { trace, result, accounting, ms } = await traceTfjs((ctx) => step.run(ctx, options), { meta });
    const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.length;
    if (heap !== undefined) trace.meta.wasmHeapBytes = heap;
    return { trace, output: result, accounting, ms, config: c };
  });
}
