import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { ideal, replay, serializeTrace, traceBuilder } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { replayReport } from "../src/commands/replay.js";
import { run } from "./run.js";

const MiB = 2 ** 20;

function traceFile(): string {
  const b = traceBuilder({ source: "test" });
  b.mark("forward");
  b.alloc({ bytes: 3 * MiB, category: "weight" });
  const t = b.alloc({ bytes: 1000, category: "temporary", kernelTemp: true });
  const a = b.alloc({ bytes: 5 * MiB, category: "activation" });
  b.free(t);
  b.free(a);
  const file = join(mkdtempSync(join(tmpdir(), "hbmscope-cli-")), "t.json");
  writeFileSync(file, serializeTrace(b.build()));
  return file;
}

describe("hbmscope replay", () => {
  test.prop([traceArbitrary({ views: true }), fc.constantFrom("caching", "bfc", "planned", "ideal"), fc.option(fc.integer({ min: 0, max: 256 * MiB }), { nil: undefined })])(
    "replayReport() gives the ideal allocator's reserved peak over the whole trace as idealPeak, out of memory or not",
    (trace, allocator, capacity) => {
      const device = capacity === undefined ? undefined : { gpu: { name: "test", bytes: capacity, source: "test" }, reserve: 0, usable: capacity };
      const report = replayReport(trace, allocator, { device });
      const whole = allocator === "ideal" && device ? replay(trace, ideal(), { view: report.view, capacity }) : replay(trace, ideal(), { view: report.view });
      expect(report.idealPeak).toBe(whole.peaks.reserved.bytes);
    },
  );

  it("replay --json prints the peaks, fragmentation at the reserved peak and no OOM", async () => {
    const r = await run(["replay", traceFile(), "--allocator", "caching", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ reservedPeak: 22 * MiB, allocatedPeak: 8 * MiB + 1024, requestedPeak: 8 * MiB + 1000, idealPeak: 8 * MiB + 1000, oom: null });
    expect(out.fragmentationAtPeak).toMatchObject({ index: 2, internal: 24, largestFree: 12 * MiB });
    expect(out.allocator.name).toBe("caching");
  });

  it("replay shows reserved > allocated >= ideal for the caching allocator, and planned no more than caching", async () => {
    const caching = JSON.parse((await run(["replay", traceFile(), "--json"])).stdout);
    const planned = JSON.parse((await run(["replay", traceFile(), "--allocator", "planned", "--json"])).stdout);
    expect(caching.reservedPeak).toBeGreaterThan(caching.allocatedPeak);
    expect(caching.allocatedPeak).toBeGreaterThanOrEqual(caching.idealPeak);
    expect(planned.reservedPeak).toBeLessThanOrEqual(caching.reservedPeak);
  });

  it("replay exits 3 on out of memory with PyTorch's facts", async () => {
    const r = await run(["replay", traceFile(), "--capacity", "21MiB", "--cuda-context", "0", "--cublas-workspace", "0", "--json"]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).oom).toMatchObject({ index: 1, attempted: 2 * MiB, allocated: 3 * MiB, reservedUnallocated: 17 * MiB });
    expect(r.stderr).toContain("Tried to allocate 2.00 MiB");
    expect(r.stderr).toContain("3.00 MiB is allocated by PyTorch, and 17.00 MiB is reserved by PyTorch but unallocated");
  });

  it("replay prints a readable summary", async () => {
    const r = await run(["replay", traceFile(), "--allocator", "bfc"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("bfc allocator, backend view, 5 of 5 events replayed");
    expect(r.stdout).toMatch(/reserved\s+16.00 MiB\s+2/); // regions of 4, 4 and 8.00 MiB: chunks under twice the request are handed out whole
  });

  it("replay rejects a bad --capacity naming the flag", async () => {
    const r = await run(["replay", traceFile(), "--capacity", "24XB"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--capacity: unknown GPU \"24XB\"; use a name (T4, A10");
  });

  it("replay --capacity gives the allocator the card minus the reserve (CUDA context + cuBLAS workspace)", async () => {
    const r = JSON.parse((await run(["replay", traceFile(), "--capacity", "RTX 4090", "--json"])).stdout);
    const reserve = 512 * MiB + 8_519_680;
    expect(r.device).toMatchObject({ gpu: { name: "RTX 4090", bytes: 24564 * MiB }, reserve, usable: 24564 * MiB - reserve });
    expect(r.capacity).toBe(24564 * MiB);
    const own = JSON.parse((await run(["replay", traceFile(), "--capacity", "24GiB", "--cuda-context", "1GiB", "--json"])).stdout);
    expect(own.device.usable).toBe(23 * 1024 * MiB - 8_519_680);
  });

  it("replay refuses an ambiguous --capacity name with the choices, and a capacity below the reserve", async () => {
    const a = await run(["replay", traceFile(), "--capacity", "A100"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe('hbmscope: --capacity: "A100" names several cards; choose one of A100 40GB, A100 80GB\n');
    const small = await run(["replay", traceFile(), "--capacity", "21MiB"]);
    expect(small.code).toBe(2);
    expect(small.stderr).toMatch(/--capacity: 21MiB \(22020096 bytes\) does not hold the reserve of 545390592 bytes/);
  });

  it("replay rejects an unknown --allocator listing the accepted ones", async () => {
    const r = await run(["replay", traceFile(), "--allocator", "slab"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--allocator <name>.*slab.*ideal, caching, bfc, planned/);
  });
});
