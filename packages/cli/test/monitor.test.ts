import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cachingAllocator, parseTrace, replay, serializeTrace, traceBuilder, type TraceCounter } from "@hbmscope/core";
import { overhead } from "@hbmscope/model";
import { run } from "./run.js";

const FAKE_DIR = fileURLToPath(new URL("./fixtures/fake-nvidia-smi/", import.meta.url));
const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CORE_FIXTURES = fileURLToPath(new URL("../../core/test/fixtures/counters/", import.meta.url));
const MiB = 2 ** 20;
const saved = { ...process.env };
let dir = "";

/** The fake's ramp: GPU g at call n (see fixtures/fake-nvidia-smi/nvidia-smi), bytes. */
const ramp = (g: number, n: number) => (1000 * (g + 1) + 1000 * Math.max(0, Math.min(n, 10 - n))) * MiB;

/** Puts the fake nvidia-smi first on PATH, with a fresh call counter. */
function fake(options: { gpus?: number; mode?: string } = {}) {
  process.env.PATH = `${FAKE_DIR}:${saved.PATH}`;
  process.env.FAKE_SMI_STATE = dir;
  process.env.FAKE_SMI_GPUS = String(options.gpus ?? 1);
  process.env.FAKE_SMI_MODE = options.mode ?? "";
}

/** A command that waits until the fake has been called `calls` times, then exits with `code`. */
const waitForCalls = (calls: number, code = 0) => ["sh", "-c", `while [ "$(cat "$FAKE_SMI_STATE/calls")" -lt ${calls} ]; do sleep 0.01; done; exit ${code}`];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hbmscope-monitor-"));
});
afterEach(() => {
  for (const k of ["PATH", "FAKE_SMI_STATE", "FAKE_SMI_GPUS", "FAKE_SMI_MODE"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe("hbmscope monitor", () => {
  it("monitor -- <command> samples each GPU on the interval until the command exits, and exits with its code", async () => {
    fake({ gpus: 2 });
    const r = await run(["monitor", "--interval", "20ms", "--out", "run.trace.json", "--json", "--", ...waitForCalls(12, 7)], dir);
    expect(r.code).toBe(7);
    expect(r.stderr).toBe("hbmscope: monitor: the command exited with code 7\n");
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ source: "nvidia-smi", exitCode: 7, signal: null, interval: 20, samplingError: null, out: "run.trace.json" });
    const trace = parseTrace(readFileSync(join(dir, "run.trace.json"), "utf8"));
    expect(trace.meta).toMatchObject({ source: "nvidia-smi", exitCode: 7, interval: 20 });
    const counters = trace.counters as TraceCounter[];
    expect(counters.map((c) => [c.name, c.device, c.capacity])).toEqual([
      ["used", 0, 81559 * MiB],
      ["used", 1, 81559 * MiB],
    ]);
    const n = counters[0].samples.length;
    expect(n).toBeGreaterThanOrEqual(12);
    expect(report.samples).toBe(n);
    // Every sample is the fake's call of the same number: nothing dropped, nothing out of order.
    counters.forEach((c, g) => expect(c.samples.map((s) => s[1])).toEqual(Array.from({ length: n }, (_, k) => ramp(g, k))));
    // On the interval's grid: at most one sample per 20 ms step, never more than the run's length allows.
    const times = counters[0].samples.map((s) => s[0]);
    expect(times[0]).toBe(0);
    const steps = times.map((t) => Math.floor(t / 20));
    expect(new Set(steps).size).toBe(n);
    expect(n).toBeLessThanOrEqual(Math.floor(report.duration / 20) + 1);
    // The peak: call 5 of the ramp.
    expect(report.gpus.map((g: { device: number; observedPeak: number; observedPeakAt: number }) => [g.device, g.observedPeak, g.observedPeakAt])).toEqual([
      [0, 6000 * MiB, times[5]],
      [1, 7000 * MiB, times[5]],
    ]);
    expect(existsSync(join(dir, "run.trace.json.samples.csv"))).toBe(false);
  });

  it("monitor --gpus keeps the GPUs named; a GPU nvidia-smi does not list is a usage error", async () => {
    fake({ gpus: 2 });
    const r = await run(["monitor", "--interval", "20ms", "--gpus", "1", "--json", "--", ...waitForCalls(3)], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).gpus.map((g: { device: number }) => g.device)).toEqual([1]);
    const bad = await run(["monitor", "--gpus", "0,3", "--", "true"], dir);
    expect(bad).toMatchObject({ code: 2, stderr: "hbmscope: --gpus: GPU 3 does not exist; nvidia-smi lists GPU 0, 1\n" });
  });

  it("monitor --expect <estimate flags> holds each GPU's peak against the estimate's total", async () => {
    fake();
    const est = JSON.parse((await run(["estimate", "--params", "1e9", "--json"])).stdout);
    const r = await run(["monitor", "--interval", "20ms", "--expect", "--params 1e9", "--json", "--", ...waitForCalls(7)], dir);
    expect(r.code).toBe(0);
    const g = JSON.parse(r.stdout).gpus[0];
    expect(g).toMatchObject({ device: 0, series: "used", observedPeak: 6000 * MiB, predictedPeak: est.total, errorBytes: est.total - 6000 * MiB });
    expect(g.error).toBeCloseTo((est.total - 6000 * MiB) / (6000 * MiB), 12);
    const human = await run(["monitor", "--interval", "20ms", "--expect", "--params 1e9", "--", "true"], dir);
    expect(human.stdout).toMatch(/^monitored: true \(exit code 0\), \d+ samples every 20 ms over [\d.]+ s\n/);
    expect(human.stdout).toMatch(/predicted from estimate; error = \(predicted - observed\) \/ observed/);
    const bad = await run(["monitor", "--expect", "--batch zero", "--", "true"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^hbmscope: --expect: .*--batch/);
  });

  it("monitor says in one line when nvidia-smi is missing, fails or prints an unparsable line, and when the command cannot start", async () => {
    process.env.PATH = dir;
    const none = await run(["monitor", "--", "true"], dir);
    expect(none).toMatchObject({ code: 1, stderr: "hbmscope: monitor: nvidia-smi is not on PATH; install the NVIDIA driver utilities, or read a saved log with --from log.csv|log.jsonl\n" });
    fake({ mode: "fail" });
    const failed = await run(["monitor", "--", "true"], dir);
    expect(failed).toMatchObject({ code: 1, stderr: "hbmscope: monitor: nvidia-smi failed (exit code 1): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n" });
    fake({ mode: "garbage" });
    writeFileSync(join(dir, "calls"), "3");
    const garbage = await run(["monitor", "--", "true"], dir);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(/^hbmscope: monitor: nvidia-smi printed an unparsable line \(line 1: memory.used "\[N\/A\]" is not a number, got "0, \[N\/A\], 81559"; expected [^\n]+\)\n$/);
    fake();
    const missing = await run(["monitor", "--", "no-such-command-hbmscope"], dir);
    expect(missing).toMatchObject({ code: 1, stderr: 'hbmscope: monitor: cannot start "no-such-command-hbmscope": not found (check the name and PATH)\n' });
    const usage = await run(["monitor"], dir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/monitor needs a command after --/);
  });

  it("monitor keeps the samples taken before nvidia-smi printed an unparsable line mid-run, and the command runs on", async () => {
    fake({ mode: "garbage" });
    const r = await run(["monitor", "--interval", "20ms", "--out", "run.trace.json", "--", ...waitForCalls(4)], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^hbmscope: monitor: nvidia-smi printed an unparsable line .*; sampling stopped, the command runs on \(samples so far are in run.trace.json.samples.csv\)\n$/);
    const trace = parseTrace(readFileSync(join(dir, "run.trace.json"), "utf8"));
    expect(trace.counters![0].samples.map((s) => s[1])).toEqual([0, 1, 2].map((k) => ramp(0, k)));
    expect(r.stdout).toMatch(/sampling stopped early/);
  });

  it("monitor passes SIGINT on to the command, writes the samples so far and exits with the command's code", async () => {
    fake();
    const out = join(dir, "run.trace.json");
    const script = `trap 'echo INT > "$FAKE_SMI_STATE/signal"; exit 5' INT; touch "$FAKE_SMI_STATE/ready"; while :; do sleep 0.02; done`;
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", BIN, "monitor", "--interval", "20ms", "--out", out, "--", "sh", "-c", script], {
      cwd: ROOT,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Wait for the command to be up and 4 samples to be on disk (appended as they come).
    const onDisk = () => (existsSync(`${out}.samples.csv`) ? readFileSync(`${out}.samples.csv`, "utf8").trim().split("\n").length - 1 : 0);
    while (!(existsSync(join(dir, "ready")) && onDisk() >= 4)) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(`${out}.samples.csv`, "utf8")).toMatch(/^timestamp, index, memory.used \[MiB\], memory.total \[MiB\]\n\d{4}\/\d\d\/\d\d [\d:.]+, 0, 1000, 81559\n/);
    child.kill("SIGINT");
    expect(await exited).toBe(5);
    expect(readFileSync(join(dir, "signal"), "utf8")).toBe("INT\n");
    expect(stderr).toContain("hbmscope: monitor: the command exited with code 5");
    const trace = parseTrace(readFileSync(out, "utf8"));
    expect(trace.counters![0].samples.length).toBeGreaterThanOrEqual(4);
  });

  it("monitor --from reads a saved nvidia-smi CSV log, compares with an estimate.json and draws the chart", async () => {
    const est = join(dir, "estimate.json");
    writeFileSync(est, JSON.stringify({ total: 60e9, overhead: 545779712 }));
    const r = await run(["monitor", "--from", join(CORE_FIXTURES, "smi-timestamped.csv"), "--expect", est, "--out", "run.trace.json", "--svg", "run.svg", "--json"], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ source: "nvidia-smi log", command: null, exitCode: null, startedAt: "2024/05/01 12:00:00.000", duration: 3002, samples: 8 });
    expect(report.gpus).toEqual([
      { device: 0, series: "used", capacity: 81559 * MiB, observedPeak: 61440 * MiB, observedPeakAt: 2001, predictedPeak: 60e9, errorBytes: 60e9 - 61440 * MiB, error: (60e9 - 61440 * MiB) / (61440 * MiB) },
      { device: 1, series: "used", capacity: 81559 * MiB, observedPeak: 60000 * MiB, observedPeakAt: 2001, predictedPeak: 60e9, errorBytes: 60e9 - 60000 * MiB, error: (60e9 - 60000 * MiB) / (60000 * MiB) },
    ]);
    expect(parseTrace(readFileSync(join(dir, "run.trace.json"), "utf8")).counters).toHaveLength(2);
    const svg = readFileSync(join(dir, "run.svg"), "utf8");
    expect(svg).toContain("peak 60.00 GiB · GPU 0 · 2.0 s");
    expect(svg).toContain("capacity 79.65 GiB");
  });

  it("monitor --expect <trace> predicts the trace's caching-allocator reserved peak plus the CUDA context; a run without events is refused", async () => {
    const b = traceBuilder({ source: "simulated" });
    const w = b.alloc({ bytes: 3 * 2 ** 30, category: "weight" });
    const a = b.alloc({ bytes: 1.5 * 2 ** 30, category: "activation" });
    b.free(a);
    b.alloc({ bytes: 2 ** 30 + 12345, category: "gradient" });
    void w;
    const trace = b.build();
    writeFileSync(join(dir, "step.trace.json"), serializeTrace(trace));
    const reserved = replay(trace, cachingAllocator()).peaks.reserved.bytes;
    const r = await run(["monitor", "--from", join(CORE_FIXTURES, "smi-timestamped.csv"), "--gpus", "0", "--expect", "step.trace.json", "--out", "run.trace.json", "--json"], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.expect).toEqual({ device: reserved + overhead().bytes, reserved, from: "step.trace.json (caching allocator)", label: "simulated" });
    expect(report.gpus[0].predictedPeak).toBe(reserved + overhead().bytes);
    const again = await run(["monitor", "--from", join(CORE_FIXTURES, "smi-timestamped.csv"), "--expect", "run.trace.json"], dir);
    expect(again).toMatchObject({ code: 2, stderr: expect.stringMatching(/^hbmscope: --expect: run.trace.json has no allocation events \(a monitored run\); /) });
    const missing = await run(["monitor", "--from", join(CORE_FIXTURES, "smi-timestamped.csv"), "--expect", "nothing.json"], dir);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/^hbmscope: --expect: "nothing.json" is not a file; --expect takes an estimate.json/) });
  });

  it("monitor --from reads a torch.cuda JSON-lines log against the reserved part of the prediction", async () => {
    const est = join(dir, "estimate.json");
    writeFileSync(est, JSON.stringify({ total: 3 * MiB + 1000, overhead: 1000 }));
    const r = await run(["monitor", "--from", join(CORE_FIXTURES, "torch-memory.jsonl"), "--expect", est, "--gpus", "0", "--json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).gpus).toEqual([
      { device: 0, series: "peakReserved", capacity: null, observedPeak: 4 * MiB, observedPeakAt: 250, predictedPeak: 3 * MiB, errorBytes: -MiB, error: -0.25 },
    ]);
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "0, 10, 20\n0, 10\n0, lots, 20\n");
    const e = await run(["monitor", "--from", bad], dir);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/^hbmscope: --from .*bad.csv: line 3: memory.used "lots" is not a number, got "0, lots, 20"; expected [^\n]+\n$/);
  });
});
