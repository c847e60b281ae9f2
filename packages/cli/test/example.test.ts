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
