/**
 * `pnpm bench`: speed and memory targets, measured in one run on this machine.
 * Each section prints its figures and whether its target was met. Pass section names to run a few.
 */
import { timelineBench } from "./timeline.bench.js";
import { inspectBench } from "./inspect.bench.js";
import { vizBench } from "./viz.bench.js";
import { allocBench } from "./alloc.bench.js";
import { interopBench } from "./interop.bench.js";

const only = new Set(process.argv.slice(2));
const want = (name: string) => only.size === 0 || only.has(name);

if (want("timeline") || want("inspect")) {
  const { json } = await timelineBench();
  if (want("inspect")) inspectBench(json);
}

if (want("viz")) vizBench();
if (want("alloc")) allocBench();
if (want("sim")) {
  const { simBench } = await import("./sim.bench.js");
  simBench();
}
if (want("model")) {
  const { modelBench } = await import("./model.bench.js");
  modelBench();
}
if (want("interop")) interopBench();
if (want("report")) {
  const { reportBench } = await import("./report.bench.js");
  await reportBench();
}
if (want("tfjs")) {
  const { tfjsBench } = await import("./tfjs.bench.js");
  await tfjsBench();
}
