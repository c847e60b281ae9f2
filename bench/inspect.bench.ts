import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { report } from "./measure.js";

/** `hbmscope inspect` of a 1M-event trace file as a whole process: wall time and peak RSS (GNU time). */
export function inspectBench(json: string) {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-bench-"));
  const file = join(dir, "trace-1m.json");
  writeFileSync(file, json);
  const built = new URL("../packages/cli/dist/bin.js", import.meta.url).pathname;
  const source = new URL("../packages/cli/src/bin.ts", import.meta.url).pathname;
  const ways: [string, string[]][] = [
    ["built CLI (node packages/cli/dist/bin.js, as installed)", [built]],
    ["from source (tsx, as pnpm hbmscope runs it)", ["--conditions=source", "--import", "tsx", source]],
  ];
  for (const [label, cmd] of ways) {
    if (!existsSync(cmd[cmd.length - 1])) {
      console.log(`hbmscope inspect, ${label}: skipped (run pnpm build first)`);
      continue;
    }
    const t0 = performance.now();
    const run = spawnSync("/usr/bin/time", ["-f", "rss_kb=%M cpu_s=%U+%S", process.execPath, ...cmd, "inspect", file, "--json"], { encoding: "utf8" });
    const ms = performance.now() - t0;
    if (run.status !== 0) throw new Error(`inspect bench failed: ${run.stderr}`);
    const rss = Number(/rss_kb=(\d+)/.exec(run.stderr)?.[1]) * 1024;
    const cpu = /cpu_s=([\d.]+)\+([\d.]+)/.exec(run.stderr);
    report(`hbmscope inspect, 1M-event file (${(json.length / 2 ** 20).toFixed(0)} MiB), ${label}`, ms);
    console.log(
      `  CPU ${cpu ? (Number(cpu[1]) + Number(cpu[2])).toFixed(2) : "?"} s; peak RSS ${(rss / 1e6).toFixed(0)} MB (target < 400 MB: ${rss < 400e6 ? "met" : "MISSED"}); time target < 1500 ms: ${ms < 1500 ? "met" : "MISSED"}`,
    );
  }
  rmSync(dir, { recursive: true });
}
