import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliError } from "./cliError.js";

/** Writes a file the user asked for (`--out`, `--svg`), creating its directory. */
export function writeOutput(path: string, content: string | Uint8Array, cwd: string, flag = "--out"): string {
  const full = resolve(cwd, path);
  try {
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  } catch (e) {
    throw new CliError(`${flag}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return full;
}
