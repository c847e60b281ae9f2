import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { defaultSetup, preset } from "@hbmscope/model";
import { addSetupOptions, setupFromFlags } from "../src/setupOptions.js";

describe("setupOptions", () => {
  it("addSetupOptions() + setupFromFlags() turn the DESIGN.md flags into a frozen setup", () => {
    const cmd = addSetupOptions(new Command("x").exitOverride());
    cmd.parse(["--method", "qlora", "--lora-rank", "64", "--lora-targets", "q,k,v,o", "--zero", "3", "--dp", "8", "--sp", "--tp", "2"], { from: "user" });
    const s = setupFromFlags(cmd.opts(), preset("llama-2-7b"));
    expect(s).toMatchObject({ method: "qlora", loraRank: 64, loraTargets: ["q", "k", "v", "o"], zero: 3, dp: 8, sp: true, tp: 2, seq: defaultSetup.seq });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it("setupFromFlags() with no flags is defaultSetup", () => {
    expect(setupFromFlags({})).toEqual(defaultSetup);
  });

  it("setupFromFlags() names the flag of a setup that does not fit the model", () => {
    expect(() => setupFromFlags({ tp: 5 }, preset("llama-2-7b"))).toThrow(/^--tp 5 must divide/);
    expect(() => setupFromFlags({ pp: 64 }, preset("llama-2-7b"))).toThrow(/^--pp 64 is more than the 32 layers/);
  });
});

it("addSetupOptions() gives simulate --block-size with profile's default (defaultSetup.blockSize = STEP_DEFAULTS.blockSize)", async () => {
  const { defaultSetup } = await import("@hbmscope/model");
  const { STEP_DEFAULTS } = await import("@hbmscope/tfjs/config");
  expect(defaultSetup.blockSize).toBe(STEP_DEFAULTS.blockSize);
  const { run } = await import("./run.js");
  const help = (await run(["simulate", "--help"])).stdout;
  expect(help).toMatch(new RegExp(`--block-size <n>[^\\n]*\\n?[^\\n]*\\(default: ${STEP_DEFAULTS.blockSize}\\)`));
});
