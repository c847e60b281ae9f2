import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect, it } from "vitest";

const root = new URL("../../../", import.meta.url).pathname;
const pages = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

it("docs images: every image the README and the guide show exists and is an SVG chart", () => {
  let seen = 0;
  for (const page of pages) {
    for (const m of readFileSync(join(root, page), "utf8").matchAll(/!\[[^\]]*\]\(([^)]+\.svg)\)/g)) {
      const file = join(root, dirname(page), m[1]);
      expect(existsSync(file), `${page} shows ${m[1]}`).toBe(true);
      expect(readFileSync(file, "utf8")).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      seen++;
    }
  }
  expect(seen).toBeGreaterThanOrEqual(8);
});
