import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
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

it("@hbmscope/core's modules import no circle (type imports included)", () => {
  const dir = new URL("../src/", import.meta.url).pathname;
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  const imports = new Map<string, string[]>();
  for (const file of walk(dir)) {
    const specs = [...readFileSync(file, "utf8").matchAll(/from "(\.\.?\/[^"]+)\.js"/g)].map((m) => join(dirname(file), `${m[1]}.ts`));
    imports.set(file, specs);
  }
  const state = new Map<string, "open" | "done">();
  const circles: string[] = [];
  const visit = (file: string, path: string[]) => {
    state.set(file, "open");
    for (const next of imports.get(file) ?? []) {
      if (state.get(next) === "open") circles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(dir, f)).join(" -> "));
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(file, "done");
  };
  for (const file of imports.keys()) if (!state.has(file)) visit(file, [file]);
  expect(circles).toEqual([]);
});
