/**
 * The CLI's fuzz suite: hostile inputs for every reader (trace JSON, pickle and JSON snapshots,
 * Hugging Face config.json) and hostile values for every command's flags, each run bounded in
 * time. Every case must end within its bound with exit code 0-3, at most one error line on stderr,
 * no stack trace, no raw control character printed, and its input files unchanged.
 *
 *   tsx --conditions=source scripts/fuzz.ts [--seed N] [--scale 0-1] [--bound-ms N]
 *
 * The cases run in one worker process (in-process calls of the CLI's `main`, no process per
 * case); the parent times each one and, past the bound, kills the worker (a hang), records the
 * case and starts a new worker for the rest. Prints `fuzz: N inputs tried, M failed` and exits 1
 * when any failed.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fuzzCases, type FuzzCase } from "../packages/cli/test/fuzz/fuzzCases.js";
import { fingerprint, fuzzFailure, type FuzzResult } from "../packages/cli/test/fuzz/fuzzCheck.js";
import { runFuzzCase } from "../packages/cli/test/fuzz/runFuzzCase.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

if (process.argv.includes("--worker")) {
  // Worker: runs the cases the parent sends, one at a time.
  process.on("message", async (m: { i: number; c: FuzzCase; cwd: string }) => {
    const r = await runFuzzCase(m.c, m.cwd);
    process.send!({ i: m.i, r: { ...r, stdout: r.stdout.slice(0, 2000) } });
  });
} else {
  const seed = arg("--seed", 1);
  const scale = arg("--scale", 1);
  const boundMs = arg("--bound-ms", 10_000);
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-fuzz-"));
  const cases = await fuzzCases(join(dir, "inputs"), seed, scale);
  const t0 = Date.now();
  let worker: ChildProcess | undefined;
  const start = () => fork(new URL(import.meta.url).pathname, ["--worker"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const failures: string[] = [];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const before = fingerprint(c.inputs);
    worker ??= start();
    const w = worker;
    const r = await new Promise<FuzzResult | "hang" | "died">((done) => {
      // The bound, plus time for a fresh worker to load the CLI.
      const timer = setTimeout(() => done("hang"), boundMs + 20_000);
      const onMessage = (m: { i: number; r: FuzzResult }) => {
        if (m.i !== i) return;
        clearTimeout(timer);
        w.off("message", onMessage);
        w.off("exit", onExit);
        done(m.r);
      };
      const onExit = () => {
        clearTimeout(timer);
        w.off("message", onMessage);
        done("died");
      };
      w.on("message", onMessage);
      w.once("exit", onExit);
      w.send({ i, c, cwd: dir });
    });
    let why: string | undefined;
    if (r === "hang" || r === "died") {
      why = r === "hang" ? `no answer within ${boundMs} ms (hang)` : "the process died (out of memory or a crash)";
      worker.kill("SIGKILL");
      worker = undefined;
    } else why = fuzzFailure(r, before, fingerprint(c.inputs), boundMs, c.argv.includes("-"));
    if (why) {
      failures.push(`${c.name}: ${why}`);
      console.error(`FAIL ${c.name} (hbmscope ${c.argv.map((a) => JSON.stringify(a.slice(0, 60))).join(" ")}): ${why}`);
    }
  }
  worker?.kill();
  rmSync(dir, { recursive: true, force: true });
  console.log(`fuzz: ${cases.length} inputs tried, ${failures.length} failed (seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}
