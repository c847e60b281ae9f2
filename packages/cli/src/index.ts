export { main, program, version } from "./program.js";
export type { Io } from "./io.js";
export { CliError } from "./cliError.js";
export { formatBytes } from "./formatBytes.js";
export { inspectReport } from "./commands/inspect.js";
export { estimateReport, paramsReport, suggestionFlags } from "./commands/estimate.js";
export { addSetupOptions, setupFromFlags, modelFromFlag, setupFlagNames } from "./setupOptions.js";
export type { SetupFlags } from "./setupOptions.js";
export { breakdownScenario } from "./breakdownScenario.js";
