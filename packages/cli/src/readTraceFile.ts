import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseTrace, type Trace } from "@hbmscope/core";
import { CliError } from "./cliError.js";

/** Reads and validates a trace file, turning every failure into one clear line. */
export function readTraceFile(path: string, cwd: string): Trace {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), "utf8");
  } catch (e) {
    throw new CliError(`cannot read trace file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseTrace(text);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
}
