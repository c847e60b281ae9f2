import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

it("@hbmscope/core has no dependencies and imports neither tfjs, d3 nor the file system", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  expect(pkg.dependencies ?? {}).toEqual({});
  const dir = new URL("../src/", import.meta.url).pathname;
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  for (const file of walk(dir)) {
    const src = readFileSync(file, "utf8");
    expect(src, file).not.toMatch(/from ["'](@tensorflow|d3-|node:fs|fs["'])/);
  }
});
