import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { CliError } from "../cliError.js";
import type { SmiRow } from "./querySmi.js";

const MIB = 2 ** 20;

/**
 * The file a live run appends each sample to as it comes (an nvidia-smi CSV log with timestamps,
 * which `hbmscope monitor --from` reads), so a run that is killed loses no samples.
 */
export function samplesLog(path: string, startedAt: string) {
  const t0 = Date.parse(startedAt);
  const write = (text: string) => {
    try {
      appendFileSync(path, text);
    } catch (e) {
      throw new CliError(`--out: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  try {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
  } catch (e) {
    throw new CliError(`--out: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  write("timestamp, index, memory.used [MiB], memory.total [MiB]\n");
  return {
    path,
    add(time: number, rows: SmiRow[]): void {
      const stamp = smiTimestamp(t0 + time);
      write(rows.map((r) => `${stamp}, ${r.index}, ${r.used / MIB}, ${r.total / MIB}\n`).join(""));
    },
    remove(): void {
      rmSync(path, { force: true });
    },
  };
}

/** nvidia-smi's timestamp format (`2024/05/01 12:00:00.123`), UTC. */
export function smiTimestamp(ms: number): string {
  const iso = new Date(Math.round(ms)).toISOString(); // 2024-05-01T12:00:00.123Z
  return `${iso.slice(0, 10).replaceAll("-", "/")} ${iso.slice(11, 23)}`;
}
