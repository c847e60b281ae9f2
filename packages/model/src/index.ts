export type { ModelSpec, TrainingSetup, PrecisionPolicy, Method, OptimizerName, Checkpointing, AttentionKind } from "./modelSpec.js";
export { simulateStep } from "./simulate/simulateStep.js";
export type { SimulateOptions } from "./simulate/simulateStep.js";
