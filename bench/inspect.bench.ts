import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { report } from "./measure.js";

/** `hbmscope inspect` of a 1M-event trace file as a whole process: wall time and peak RSS (GNU time). */
export function inspectBench(json: string) {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-bench-"));
  const file = join(dir, "trace-1m.json");
  writeFileSync(file, json);
  const bin = new URL("../packages/cli/src/bin.ts", import.meta.url).pathname;
  const args = ["-f", "rss_kb=%M", process.execPath, "--conditions=source", "--import", "tsx", bin, "inspect", file, "--json"];
  const t0 = performance.now();
  const run = spawnSync("/usr/bin/time", args, { encoding: "utf8" });
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true });
  if (run.status !== 0) throw new Error(`inspect bench failed: ${run.stderr}`);
  const rss = Number(/rss_kb=(\d+)/.exec(run.stderr)?.[1]) * 1024;
  const size = json.length;
  report(`hbmscope inspect, 1M-event file (${(size / 2 ** 20).toFixed(0)} MiB), whole process`, ms);
  console.log(`  peak RSS ${(rss / 2 ** 20).toFixed(0)} MiB (target < 400 MB: ${rss < 400e6 ? "met" : "MISSED"}); time target < 1500 ms: ${ms < 1500 ? "met" : "MISSED"}`);
}
