import type { Command } from "commander";
import type { Io } from "./io.js";

/** What a command module exports: adds the command, its options and its action to the root. */
export type RegisterCommand = (root: Command, io: Io) => void;

/**
 * Every subcommand, in the order `hbmscope --help` lists them, each loaded only when asked for: a
 * command's module pulls in the packages it needs (`inspect` core alone, `simulate` the model and
 * the charts, `report` the report page), so `hbmscope inspect` never loads the model, viz or the
 * report. The list is the whole CLI at a glance.
 */
export const COMMANDS: readonly { name: string; load: () => Promise<RegisterCommand> }[] = [
  { name: "inspect", load: async () => (await import("./commands/inspect.js")).registerInspect },
  { name: "estimate", load: async () => (await import("./commands/estimate.js")).registerEstimate },
  { name: "simulate", load: async () => (await import("./commands/simulate.js")).registerSimulate },
  { name: "profile", load: async () => (await import("./commands/profile.js")).registerProfile },
  { name: "compare-attention", load: async () => (await import("./commands/compareAttention.js")).registerCompareAttention },
  { name: "replay", load: async () => (await import("./commands/replay.js")).registerReplay },
  { name: "render", load: async () => (await import("./commands/render.js")).registerRender },
  { name: "import", load: async () => (await import("./commands/import.js")).registerImport },
  { name: "export", load: async () => (await import("./commands/export.js")).registerExport },
  { name: "report", load: async () => (await import("./commands/report.js")).registerReport },
  { name: "monitor", load: async () => (await import("./commands/monitor.js")).registerMonitor },
];
