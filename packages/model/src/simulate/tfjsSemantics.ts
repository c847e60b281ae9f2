import type { TraceBuilder } from "@hbmscope/core";
import type { ModelSpec, TrainingSetup } from "../modelSpec.js";
import { symbolicStep } from "./tfjs/symbolicStep.js";

/**
 * TensorFlow.js semantics: the step of `@hbmscope/tfjs` run on a symbolic tfjs engine (see
 * `tfjs/symbolicEngine.ts` for the engine's rules), recorded as `traceTfjs` records a real run.
 */
export function runTfjs(model: ModelSpec, setup: TrainingSetup, tb: TraceBuilder, options: { training: boolean; backend: "cpu" | "wasm" }): void {
  symbolicStep(model, setup, options.backend, options.training).emit(tb);
}
