import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { run } from "./run.js";

it("estimate --svg writes a breakdown of the setup and each suggestion against the GPU", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-est-"));
  const r = await run(["estimate", "--model", "llama-2-7b", "--method", "full", "--precision", "mixed", "--batch", "1", "--seq", "2048", "--gpu", "80GB", "--svg", "b.svg", "--json"], dir);
  expect(r.code).toBe(3);
  const out = JSON.parse(r.stdout);
  const svg = readFileSync(join(dir, "b.svg"), "utf8");
  expect(svg).toContain("this setup");
  for (const s of out.suggestions) expect(svg).toContain(s.label.replace(/→/g, "→"));
  expect(svg).toContain(">80GB</text>");
});

it("estimate --svg without --gpu says its setup and lists every tier the text lists, drawn or beyond the axis", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-est-"));
  const r = await run(["estimate", "--model", "gpt2-small", "--seq", "1024", "--svg", "b.svg"], dir);
  expect(r.code).toBe(0);
  const svg = readFileSync(join(dir, "b.svg"), "utf8");
  expect(svg).toMatch(/<text class="subtitle"[^>]*>full fine-tune · mixed \(bf16\) · adamw · \w+ attention · checkpointing none · batch 1 · seq 1024 · estimate/);
  const tiers = ["16GB", "24GB", "40GB", "48GB", "80GB", "141GB"];
  for (const t of tiers) expect(r.stdout).toMatch(new RegExp(`^${t}\\s`, "m"));
  const drawn = [...svg.matchAll(/<line class="tier"[^>]*\/>\n<text [^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
  const beyond = /beyond the axis: ([^<]+) \u2192<\/text>/.exec(svg)?.[1].split(", ") ?? [];
  expect([...drawn, ...beyond]).toEqual(tiers);
});
