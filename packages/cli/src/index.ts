export { main, program, version } from "./program.js";
export type { Io } from "./io.js";
export { CliError } from "./cliError.js";
export { formatBytes } from "./formatBytes.js";
export { inspectReport } from "./commands/inspect.js";
export { renderAttentionRows } from "./commands/compareAttention.js";
