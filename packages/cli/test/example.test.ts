import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseTrace } from "@hbmscope/core";
import { run } from "./run.js";

const root = new URL("../../../", import.meta.url).pathname;

describe("examples/step.trace.json", () => {
  it("inspect examples/step.trace.json reads the committed tfjs trace (regenerate with pnpm example:trace)", async () => {
    const text = readFileSync(`${root}examples/step.trace.json`, "utf8");
    expect(text.length).toBeLessThan(1 << 20);
    const trace = parseTrace(text);
    expect(trace.meta).toMatchObject({ source: "tfjs", backend: "cpu" });
    expect(trace.marks.filter((m) => m.kind === "phase").map((m) => m.label)).toEqual(["setup", "forward", "backward", "optimizer", "teardown"]);
    const r = await run(["inspect", "examples/step.trace.json", "--json"], root);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.peakPhase).toBe("backward");
    expect(report.peaks.backend).toBeGreaterThan(report.peaks.physical);
    expect(report.peaks.logical).toBeGreaterThan(report.peaks.physical);
  });
});

describe("examples/monitor/llama-2-7b-lora.smi.csv", () => {
  it("monitor --from the example nvidia-smi log draws docs/img/monitor-llama-2-7b-lora.svg as committed (regenerate with pnpm run docs)", async () => {
    const { EXAMPLE_FLAGS } = await import("../../../scripts/exampleMonitorLog.js");
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const svg = `${mkdtempSync(`${tmpdir()}/hbmscope-example-`)}/monitor.svg`;
    const r = await run(["monitor", "--from", "examples/monitor/llama-2-7b-lora.smi.csv", "--expect", EXAMPLE_FLAGS, "--svg", svg, "--json"], root);
    expect(r.code).toBe(0);
    const [gpu] = JSON.parse(r.stdout).gpus;
    expect(gpu).toMatchObject({ device: 0, series: "used", observedPeak: 20468 * 2 ** 20 });
    expect(gpu.error).toBeLessThan(0);
    expect(readFileSync(svg, "utf8")).toBe(readFileSync(`${root}docs/img/monitor-llama-2-7b-lora.svg`, "utf8"));
  });
});
