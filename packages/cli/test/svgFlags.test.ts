import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { run } from "./run.js";

const tiny = ["--vocab", "32", "--hidden", "16", "--heads", "2", "--layers", "1", "--batch", "1"];

it("profile --svg writes the timeline chart of the profiled step", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-svg-"));
  const r = await run(["profile", ...tiny, "--seq", "16", "--backend", "cpu", "--svg", "t.svg", "--json"], dir);
  expect(r.code).toBe(0);
  const svg = readFileSync(join(dir, "t.svg"), "utf8");
  const out = JSON.parse(r.stdout);
  expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain(`peak`);
  expect(svg).toContain(out.peakPhase);
});

it("compare-attention --svg writes the comparison chart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-svg-"));
  const r = await run(["compare-attention", ...tiny, "--seq", "8,16", "--block-size", "8", "--backend", "cpu", "--svg", "a.svg", "--json"], dir);
  expect(r.code).toBe(0);
  const svg = readFileSync(join(dir, "a.svg"), "utf8");
  for (const v of ["naive", "chunked", "chunked-recompute", "flash"]) expect(svg).toContain(`>${v}</text>`);
});

it("simulate --svg writes the simulated timeline with the reserved line and the OOM marker", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-svg-"));
  const r = await run(["simulate", "--model", "gpt2-small", "--batch", "1", "--seq", "256", "--allocator", "caching", "--capacity", "1GB", "--svg", "s.svg", "--json"], dir);
  const svg = readFileSync(join(dir, "s.svg"), "utf8");
  const out = JSON.parse(r.stdout);
  expect(svg).toContain('class="reserved"');
  // GPT-2 small's model states alone (124M parameters, 16 B each in mixed precision) exceed 1 GB.
  expect(out.oom).not.toBeNull();
  expect(r.code).toBe(3);
  expect(svg).toContain("OOM at event");
});
