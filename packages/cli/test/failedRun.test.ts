import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace, traceBuilder } from "@hbmscope/core";
import { stepConfig, TfjsTraceError } from "@hbmscope/tfjs";
import { failedRun, WASM_HEAP_BYTES } from "../src/failedRun.js";
import { stepHeapEstimate } from "../src/stepHeapEstimate.js";

const partial = () => {
  const b = traceBuilder();
  b.alloc({ bytes: 1024, category: "activation" });
  return new TfjsTraceError("step failed", b.build(), { checkedEvents: 1, mismatches: [], mismatchCount: 0 }, new Error("memory access out of bounds"));
};

describe("failedRun", () => {
  it("failedRun() says the wasm heap's 4 GiB ran out (exit code 3) and keeps the partial trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-failed-"));
    const io = { stdout: () => {}, stderr: () => {}, cwd: dir };
    const e = failedRun(partial(), "partial.json", io, "wasm");
    expect(e.message).toBe(
      "the wasm heap ran out during the traced step (it holds at most 4 GiB: WebAssembly's 32-bit memory; the backend said: memory access out of bounds); try --backend cpu, a smaller --seq or --batch, or --attention flash; partial trace (1 events) written to partial.json",
    );
    expect((e as { exitCode?: number }).exitCode).toBe(3);
    expect(parseTrace(readFileSync(join(dir, "partial.json"), "utf8")).events).toHaveLength(1);
    // on the cpu backend the same message is not an out-of-memory
    const other = failedRun(partial(), undefined, io, "cpu");
    expect(other.message).toMatch(/^the traced step failed: memory access out of bounds/);
    expect((other as { exitCode?: number }).exitCode).toBe(1);
  });
});

describe("stepHeapEstimate", () => {
  it("stepHeapEstimate() puts a seq-8192 naive step beyond the wasm heap and the default step well inside", () => {
    expect(stepHeapEstimate(stepConfig({ seq: 8192, layers: 8 }), "wasm")!).toBeGreaterThan(WASM_HEAP_BYTES);
    expect(stepHeapEstimate(stepConfig({}), "wasm")!).toBeLessThan(WASM_HEAP_BYTES / 16);
  });
});
