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
  // The setup is in the subtitle, and a tfjs step is drawn by op call.
  expect(svg).toContain('<text class="subtitle" x="68" y="38" fill="#555">train step · cpu · vocab 32 · hidden 16 · heads 2 · layers 1 · ffn 64 · seq 16 · batch 1 · attention naive');
  expect(svg).toContain("x axis by op call (");
});

it("compare-attention --svg writes the comparison chart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-svg-"));
  const r = await run(["compare-attention", ...tiny, "--seq", "8,16", "--block-size", "8", "--backend", "cpu", "--svg", "a.svg", "--json"], dir);
  expect(r.code).toBe(0);
  const svg = readFileSync(join(dir, "a.svg"), "utf8");
  for (const v of ["naive", "chunked", "chunked-recompute", "flash"]) expect(svg).toContain(`>${v}</text>`);
  expect(svg).toContain(">train step · cpu · vocab 32 · hidden 16 · heads 2 · layers 1 · ffn 64 · batch 1 · layernorm · adamw · seqs 8, 16</text>");
  expect(svg).toContain(">peak memory (physical view)</text>");
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
  // What the step needed is drawn against the capacity, faded past the OOM, and the setup is said.
  expect(svg).toContain('class="capacity"');
  expect(svg).toContain('class="past-oom"');
  expect(svg).toContain("after the OOM: what the step would have needed (peak ");
  expect(svg).toContain("full fine-tune · mixed (bf16) · adamw · naive attention · checkpointing none · batch 1 · seq 256 · on ");
});

it("simulate --x op draws the simulated timeline by op call", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-svg-"));
  const r = await run(["simulate", "--model", "gpt2-small", "--batch", "1", "--seq", "128", "--svg", "s.svg", "--x", "op"], dir);
  expect(r.code).toBe(0);
  const svg = readFileSync(join(dir, "s.svg"), "utf8");
  expect(svg).toContain("x axis by op call (");
  expect(svg).toContain(">op call (a loop&#39;s repeated kernels share one)</text>");
  const bad = await run(["simulate", "--model", "gpt2-small", "--svg", "s.svg", "--x", "time"], dir);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--x");
});
