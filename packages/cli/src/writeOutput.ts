import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliError } from "./cliError.js";

/**
 * Writes a file the user asked for (`--out`, `--svg`), creating its directory. `content` may come
 * in pieces (e.g. `serializeTraceChunks`), written as they come, for files too large for one string.
 */
export function writeOutput(path: string, content: string | Uint8Array | Iterable<string>, cwd: string, flag = "--out"): string {
  const full = resolve(cwd, path);
  try {
    mkdirSync(dirname(full), { recursive: true });
    if (typeof content === "string" || content instanceof Uint8Array) writeFileSync(full, content);
    else {
      const fd = openSync(full, "w");
      try {
        for (const piece of content) writeSync(fd, piece);
      } finally {
        closeSync(fd);
      }
    }
  } catch (e) {
    throw new CliError(`${flag}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return full;
}
