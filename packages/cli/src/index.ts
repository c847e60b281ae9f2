export { main, program, version } from "./program.js";
export type { Io } from "./io.js";
export { CliError } from "./cliError.js";
export { formatBytes } from "./formatBytes.js";
export { inspectReport } from "./commands/inspect.js";
export { replayReport, OOM_EXIT_CODE } from "./commands/replay.js";
