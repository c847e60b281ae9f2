import { execFile } from "node:child_process";
import { parseSmiCsv } from "@hbmscope/core";
import { CliError } from "../cliError.js";

/** The query `hbmscope monitor` runs once per sample. */
export const SMI_ARGS = ["--query-gpu=index,memory.used,memory.total", "--format=csv,noheader,nounits"];

/** One GPU's figures from one query, bytes. */
export interface SmiRow {
  index: number;
  used: number;
  total: number;
}

/**
 * Runs `nvidia-smi --query-gpu=index,memory.used,memory.total --format=csv,noheader,nounits` once
 * (found on `env.PATH`) and returns each GPU's used and total memory in bytes.
 * @throws CliError one line: nvidia-smi not on PATH, failed, or printed a line that is not such a row.
 */
export function querySmi(env: NodeJS.ProcessEnv = process.env): Promise<SmiRow[]> {
  return new Promise((resolve, reject) => {
    execFile("nvidia-smi", SMI_ARGS, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          reject(new CliError("monitor: nvidia-smi is not on PATH; install the NVIDIA driver utilities, or read a saved log with --from log.csv|log.jsonl"));
        } else {
          const said = `${stderr}`.trim().split("\n")[0] || `${stdout}`.trim().split("\n")[0] || err.message;
          reject(new CliError(`monitor: nvidia-smi failed (${typeof code === "number" ? `exit code ${code}` : code ?? "error"}): ${said}`));
        }
        return;
      }
      try {
        const log = parseSmiCsv(stdout);
        resolve(log.counters.map((c) => ({ index: c.device, used: c.samples[c.samples.length - 1][1], total: c.capacity ?? 0 })));
      } catch (e) {
        reject(new CliError(`monitor: nvidia-smi printed an unparsable line (${(e as Error).message.replace(/^parseSmiCsv: /, "")})`));
      }
    });
  });
}
