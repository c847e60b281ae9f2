import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseTrace, serializeTrace } from "@hbmscope/core";
import { readTraceFile } from "../src/readTraceFile.js";
import { run } from "./run.js";

/** Recorded real PyTorch + transformers runs (scripts/torch/record-all.py): read like any trace. */
const dir = fileURLToPath(new URL("../../model/test/fixtures/torch/", import.meta.url));
const names = ["llama-lora-bf16-sdpa", "gpt2-fp32-eager", "llama-fwd-fp32-eager"];

describe("recorded PyTorch traces in the CLI", () => {
  it.each(names)("readTraceFile() reads %s as parseTrace does", (name) => {
    const file = `${name}.trace.json`;
    const text = readFileSync(dir + file, "utf8");
    expect(serializeTrace(readTraceFile(file, dir))).toBe(serializeTrace(parseTrace(JSON.parse(text))));
  });

  it.each(names)("inspect --json and replay --allocator ideal report %s's recorded peak", async (name) => {
    const file = `${dir}${name}.trace.json`;
    const meta = JSON.parse(readFileSync(file, "utf8")).meta;
    const inspect = await run(["inspect", file, "--json"]);
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ peakBytes: meta.peakBytes, peakPhase: meta.peakPhase, peakIndex: meta.peakEvent });
    const replay = await run(["replay", file, "--allocator", "ideal", "--json"]);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout).idealPeak).toBe(meta.peakBytes);
  });
});
