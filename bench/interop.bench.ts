import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importTorchSnapshot, timeline, toPerfetto, writePickle } from "@hbmscope/core";
import { syntheticSnapshot } from "./syntheticSnapshot.js";
import { measure, report } from "./measure.js";

/**
 * Import of a 1,000,000-entry PyTorch snapshot pickle and its timeline: target under 5 s here.
 * Memory: peak resident memory of an import in a fresh process, against twice the file's size,
 * for thin stacks (worst case: the trace outweighs the file) and deep ones (real snapshots).
 */
export function interopBench() {
  const N = 1_000_000;
  const pickle = writePickle(syntheticSnapshot(N));
  console.log(`interop: snapshot pickle of ${N} entries, ${(pickle.length / 2 ** 20).toFixed(0)} MiB`);

  const whole = measure(() => timeline(importTorchSnapshot(pickle)), { runs: 1 });
  report("importTorchSnapshot + timeline, 1M entries", whole, N);
  console.log(`  target < 5000 ms: ${whole < 5000 ? "met" : "MISSED"}`);

  const trace = importTorchSnapshot(pickle);
  const cpu = process.cpuUsage();
  timeline(importTorchSnapshot(pickle));
  const used = process.cpuUsage(cpu);
  console.log(`  (one more run: ${((used.user + used.system) / 1000).toFixed(0)} ms of CPU time; wall time counts waiting for a shared CPU too)`);
  memory("2-frame stacks", pickle);
  memory("24-frame stacks (stacks=all)", writePickle(syntheticSnapshot(100_000, 7, 24)));
  const perfetto = measure(() => JSON.stringify(toPerfetto(trace)).length, { runs: 1 });
  report("toPerfetto + JSON.stringify, from the imported trace", perfetto, trace.events.length);
}

/**
 * Peak memory of an import in a fresh process: its peak resident set beyond what it held before
 * reading the file, against the target of twice the file's size (the file itself is 1x of that).
 */
function memory(what: string, pickle: Uint8Array) {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-bench-"));
  const file = join(dir, "snapshot.pickle");
  writeFileSync(file, pickle);
  try {
    const child = new URL("./interopMemoryChild.ts", import.meta.url).pathname;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--conditions=source", child, file], { encoding: "utf8" });
    const r = JSON.parse(out.trim().split("\n").at(-1)!);
    const extra = r.maxRss - r.before;
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    console.log(
      `  memory, ${what}: file ${mb(r.fileBytes)}, ${r.events} events; peak RSS ${mb(extra)} beyond the start = ${(extra / r.fileBytes).toFixed(2)}x the file (target 2x: ${extra <= 2 * r.fileBytes ? "met" : "MISSED"})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
