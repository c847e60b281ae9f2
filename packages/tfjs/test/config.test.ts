import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const pkg = fileURLToPath(new URL("..", import.meta.url));

it("@hbmscope/tfjs/config loads no TensorFlow.js (no engine on the global object after importing it)", () => {
  const script =
    'const c = await import("@hbmscope/tfjs/config"); ' +
    "console.log(JSON.stringify({ keys: Object.keys(c).sort(), engine: '_tfengine' in globalThis }));";
  const out = execFileSync(process.execPath, ["--import", "tsx", "--conditions=source", "--input-type=module", "-e", script], { cwd: pkg, encoding: "utf8" });
  expect(JSON.parse(out)).toEqual({ keys: ["ATTENTION_VARIANTS", "BACKENDS", "STEP_DEFAULTS", "TfjsTraceError", "stepConfig"], engine: false });
});

it("@hbmscope/tfjs registers tfjs-core's gradients (an engine and a gradient of a matMul)", () => {
  const script =
    'const tf = await import("@tensorflow/tfjs-core"); await import("@hbmscope/tfjs"); await tf.setBackend("cpu"); ' +
    "const w = tf.variable(tf.ones([2, 2])); const { grads } = tf.variableGrads(() => tf.sum(tf.matMul(tf.ones([1, 2]), w))); " +
    "console.log(JSON.stringify(Array.from(grads[w.name].dataSync())));";
  const out = execFileSync(process.execPath, ["--import", "tsx", "--conditions=source", "--input-type=module", "-e", script], { cwd: pkg, encoding: "utf8" });
  expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual([1, 1, 1, 1]);
});
