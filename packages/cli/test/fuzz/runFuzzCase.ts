import { performance } from "node:perf_hooks";
import { main } from "../../src/index.js";
import type { FuzzCase } from "./fuzzCases.js";
import type { FuzzResult } from "./fuzzCheck.js";

/** Runs one fuzz case in this process (the CLI's `main`), capturing what it prints. */
export async function runFuzzCase(c: FuzzCase, cwd: string): Promise<FuzzResult> {
  let stdout = "";
  let stderr = "";
  const t0 = performance.now();
  let code: number;
  try {
    code = await main(c.argv, {
      stdout: (t) => void (stdout.length < 1e6 && (stdout += t)),
      stderr: (t) => void (stderr += t),
      stdoutBytes: (b) => void (stdout += `<${b.length} bytes>`),
      cwd,
    });
  } catch (e) {
    // main never throws; if it does, that is a failure the check reports
    code = -1;
    stderr += `main threw: ${(e as Error)?.stack ?? String(e)}`;
  }
  return { code, stdout, stderr, ms: performance.now() - t0 };
}
