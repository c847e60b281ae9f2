import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serializeTrace, traceBuilder } from "@hbmscope/core";
import { run } from "./run.js";

function traceFile(): string {
  const b = traceBuilder({ source: "test" });
  b.mark("forward");
  const w = b.alloc({ bytes: 4096, category: "weight", op: "Variable", dtype: "float32", shape: [32, 32] });
  const a = b.alloc({ bytes: 2048, category: "activation", op: "MatMul", scope: "forward/l0" });
  b.mark("backward");
  b.alloc({ bytes: 4096, category: "gradient", op: "MatMulGrad" });
  b.free(a);
  void w;
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-cli-"));
  const file = join(dir, "t.json");
  writeFileSync(file, serializeTrace(b.build()));
  return file;
}

describe("hbmscope inspect", () => {
  it("inspect --json prints one object with the peak, phase, breakdown and largest buffers", async () => {
    const r = await run(["inspect", traceFile(), "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.peakBytes).toBe(10240);
    expect(out.peakIndex).toBe(2);
    expect(out.peakPhase).toBe("backward");
    expect(out.peakOp).toBe("MatMulGrad");
    expect(out.byCategoryAtPeak).toMatchObject({ weight: 4096, activation: 2048, gradient: 4096 });
    expect(out.largestAtPeak.map((b: any) => b.bytes)).toEqual([4096, 4096, 2048]);
  });

  it("inspect prints binary units for people", async () => {
    const r = await run(["inspect", traceFile()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("peak (physical): 10.00 KiB at event 2, phase backward, op MatMulGrad");
  });

  it("inspect of a malformed trace exits non-zero naming the event", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "hbmscope-cli-")), "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        format: "hbmscope.trace",
        version: 1,
        buffers: [{ id: 0, bytes: 8, category: "weight" }],
        events: [{ kind: "alloc", buffer: 0 }, { kind: "free", buffer: 0 }, { kind: "free", buffer: 0 }],
      }),
    );
    const r = await run(["inspect", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("events[2]: frees buffer 0, which is not allocated (double free)");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("inspect of a missing file says so", async () => {
    const r = await run(["inspect", "/nonexistent/t.json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot read trace file /nonexistent/t.json: ENOENT");
  });
});

describe("hbmscope", () => {
  it("main() rejects an unknown flag, naming it and listing the accepted ones", async () => {
    const r = await run(["inspect", "x.json", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
    expect(r.stderr).toContain("accepted options of hbmscope inspect: --view, --top, --json");
  });

  it("main() rejects an unknown command and lists the commands", async () => {
    const r = await run(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/accepted commands: .*inspect/);
  });

  it("main() rejects a bad choice naming the flag and the choices", async () => {
    const r = await run(["inspect", "x.json", "--view", "virtual"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--view <view>.*virtual.*logical, physical, backend/);
  });

  it("main() prints --version and --help", async () => {
    expect((await run(["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("inspect");
  });
});

describe("hbmscope inspect of a monitored run", () => {
  it("inspect lists each sampled series' peak for a trace monitor wrote", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-inspect-"));
    const log = new URL("../../core/test/fixtures/counters/smi-timestamped.csv", import.meta.url).pathname;
    expect((await run(["monitor", "--from", log, "--out", "run.trace.json"], dir)).code).toBe(0);
    const r = await run(["inspect", "run.trace.json", "--json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).counters).toEqual([
      { device: 0, name: "used", capacity: 81559 * 2 ** 20, samples: 4, peakBytes: 61440 * 2 ** 20, peakTime: 2001 },
      { device: 1, name: "used", capacity: 81559 * 2 ** 20, samples: 4, peakBytes: 60000 * 2 ** 20, peakTime: 2001 },
    ]);
    expect((await run(["inspect", "run.trace.json"], dir)).stdout).toMatch(/sampled series \(monitor\):\nGPU\s+series\s+samples\s+peak\s+at\s+capacity\n0\s+used\s+4\s+60.00 GiB\s+2.0 s\s+79.65 GiB/);
  });
});
