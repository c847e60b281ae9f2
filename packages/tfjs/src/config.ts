/**
 * `@hbmscope/tfjs/config`: the step's configuration, names and error type, without TensorFlow.js.
 * Importing this entry loads no `@tensorflow/*` package, so a CLI can parse and check flags and
 * load the step itself (`import("@hbmscope/tfjs")`) only when it runs one.
 */
export { stepConfig, STEP_DEFAULTS } from "./stepConfig.js";
export type { StepConfig } from "./stepConfig.js";
export { ATTENTION_VARIANTS } from "./attention/attention.js";
export type { AttentionVariant } from "./attention/attention.js";
export { BACKENDS } from "./backendNames.js";
export type { BackendName } from "./backendNames.js";
export { TfjsTraceError } from "./tfjsTraceError.js";
