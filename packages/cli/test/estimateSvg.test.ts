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
