import { describe, expect, it } from "vitest";
import { setupNotes } from "../src/setupNotes.js";
import { run } from "./run.js";

describe("setupNotes", () => {
  it("setupNotes() says why each typed flag has no effect, and nothing for defaults", () => {
    const typed = new Set(["zero", "sp", "microbatches", "loraRank", "loraTargets", "dtype", "trainableParams", "optimizer"]);
    const notes = setupNotes(
      { zero: "3", dp: 1, sp: true, tp: 1, microbatches: 4, pp: 1, method: "full", loraRank: 16, loraTargets: ["q"], dtype: "fp16", precision: "fp32", trainableParams: 5, model: "x", mode: "forward", optimizer: "sgd" },
      (n) => typed.has(n),
    );
    expect(notes.map((n) => n.split(" has no effect")[0])).toEqual(["--zero 3", "--sp", "--microbatches", "--lora-rank", "--lora-targets", "--dtype fp16", "--trainable-params", "--optimizer sgd"]);
    expect(setupNotes({ zero: "3", dp: 1, sp: true, tp: 1 }, () => false)).toEqual([]);
    expect(setupNotes({ zero: "3", dp: 8 }, (n) => n === "zero")).toEqual([]);
  });
});

describe("flags with no effect", () => {
  it("estimate --zero 3 with --dp 1 prints a note on stderr and carries it in --json", async () => {
    const r = await run(["estimate", "--model", "gpt2-small", "--seq", "1024", "--zero", "3", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("note: --zero 3 has no effect with --dp 1: ZeRO shards model states over the data-parallel group, here one GPU\n");
    // The estimator's own notes come first (say, what the hf profile's terms are); the flag's last.
    expect(JSON.parse(r.stdout).notes.at(-1)).toBe(r.stderr.slice(6, -1));
  });

  it("simulate --mode forward --optimizer sgd notes the optimizer; without it, notes are empty", async () => {
    const r = await run(["simulate", "--model", "gpt2-small", "--seq", "64", "--mode", "forward", "--optimizer", "sgd", "--json"]);
    expect(r.stderr).toMatch(/^note: --optimizer sgd has no effect with --mode forward/);
    expect(JSON.parse(r.stdout).notes).toHaveLength(1);
    const plain = await run(["simulate", "--model", "gpt2-small", "--seq", "64", "--json"]);
    expect(plain.stderr).toBe("");
    expect(JSON.parse(plain.stdout).notes).toEqual([]);
  });
});
