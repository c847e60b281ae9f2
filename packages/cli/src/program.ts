import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { CliError } from "./cliError.js";
import type { Io } from "./io.js";
import { terminalSafe } from "./terminalSafe.js";
import { COMMANDS } from "./commandRegistry.js";

export const version: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

/**
 * The `hbmscope` command line with `only` its named subcommands (default: every one, `COMMANDS`).
 * commander does the parsing (maintained, no dependencies, subcommands, choices and help built in);
 * we only add messages that list what is accepted.
 */
export async function program(io: Io, only?: readonly string[]): Promise<Command> {
  const root = new Command("hbmscope")
    .description("what fills accelerator memory during a training step, when the peak happens, and what would change it")
    .version(version, "-V, --version")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(output(io));
  const wanted = only ? COMMANDS.filter((c) => only.includes(c.name)) : COMMANDS;
  const registers = await Promise.all(wanted.map((c) => c.load()));
  for (const register of registers) register(root, io);
  for (const cmd of root.commands) {
    cmd.exitOverride().configureOutput(output(io)).showSuggestionAfterError(true);
  }
  return root;
}

/** Output through `io`; help wrapped at 100 columns whatever the terminal, so the README's copy matches. */
function output(io: Io) {
  return { writeOut: io.stdout, writeErr: io.stderr, outputError: () => {}, getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 };
}

/** Runs the CLI on `argv` (without node and script), returns the exit code. */
export async function main(argv: string[], rawIo: Io): Promise<number> {
  // Names from traces and snapshots reach the terminal escaped, whichever command prints them.
  // A progress line's own carriage return is the one control character let through.
  const io: Io = {
    ...rawIo,
    stdout: (t) => rawIo.stdout(terminalSafe(t)),
    stderr: (t) => rawIo.stderr(terminalSafe(t)),
    progress: (line, done) => rawIo.stderr(`\r${terminalSafe(line)}${done ? "\n" : ""}`),
  };
  // Only the command asked for is loaded (and with it only the packages it needs); --version loads
  // none; anything else (--help, a misspelt command) loads every one, for the list and suggestions.
  const named = COMMANDS.find((c) => c.name === argv[0]);
  const only = named ? [named.name] : argv[0] === "-V" || argv[0] === "--version" ? [] : undefined;
  let root: Command | undefined;
  try {
    root = await program(io, only);
    await root.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError && root) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      // One line: commander's suggestion ("(Did you mean --json?)") and the accepted list joined on.
      io.stderr(`hbmscope: ${`${e.message.replace(/^error: /, "")}${acceptedHint(root, argv, e)}`.replace(/\s*\n\s*/g, "; ")}\n`);
      return 2;
    }
    if (e instanceof CliError) {
      io.stderr(`hbmscope: ${e.message.replace(/\s*\n\s*/g, "; ")}\n`);
      return e.exitCode;
    }
    if (e instanceof RangeError && /allocation|memory|Array buffer/i.test(e.message)) {
      io.stderr(`hbmscope: out of JavaScript memory (${e.message}); try a smaller configuration or raise --max-old-space-size\n`);
      return 1;
    }
    io.stderr(`hbmscope: ${String((e as Error)?.message ?? e).replace(/\s*\n\s*/g, "; ")}\n`);
    return 1;
  }
}

function acceptedHint(root: Command, argv: string[], e: CommanderError): string {
  if (e.code === "commander.unknownCommand") {
    return `\naccepted commands: ${root.commands.map((c) => c.name()).join(", ")}`;
  }
  if (e.code === "commander.unknownOption") {
    const cmd = root.commands.find((c) => c.name() === argv[0]) ?? root;
    return `\naccepted options of ${cmd === root ? "hbmscope" : `hbmscope ${cmd.name()}`}: ${cmd.options.map((o) => o.long).join(", ")}`;
  }
  return "";
}
