/**
 * `pnpm bench [row|group ...] [--runs N] [--peer path/to/MemoryViz.js] [--baseline DIR]`: speed and memory goals,
 * each row in fresh processes (bench/harness/). No names: every row. `pnpm bench peer --peer FILE`
 * times PyTorch's memory_viz processing beside hbmscope on the same snapshots.
 */
import { runBench } from "./harness/runBench.js";

const args = process.argv.slice(2);
const names: string[] = [];
let runs: number | undefined;
let peer: string | undefined;
let baseline: string | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--runs") {
    runs = Number(args[++i]);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`pnpm bench: --runs must be a whole number >= 1; got ${args[i]}`);
  } else if (a === "--peer") {
    peer = args[++i];
    if (!peer) throw new Error("pnpm bench: --peer needs a file: PyTorch's torch/utils/viz/MemoryViz.js");
  } else if (a === "--baseline") {
    baseline = args[++i];
    if (!baseline) throw new Error("pnpm bench: --baseline needs a folder: another checkout of hbmscope, built");
  } else if (a.startsWith("--")) throw new Error(`pnpm bench: unknown option ${a}; accepted: --runs N, --peer FILE, --baseline DIR`);
  else if (a !== "--") names.push(a);
}
const ok = await runBench({ names, runs, peer, baseline });
process.exitCode = ok ? 0 : 1;
