import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const src = new URL("../src/", import.meta.url).pathname;
const importsOf = (file: string) => [...readFileSync(file, "utf8").matchAll(/(?:from |import\()"([^"]+)"/g)].map((m) => m[1]);

describe("@hbmscope/report", () => {
  it("the page's code (page/entry.ts: the page and its worker, and what they import) uses no Node module: it runs in a browser", () => {
    const seen = new Set<string>();
    const outside: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
        else if (!/^(@hbmscope\/(core|viz)|d3-(brush|scale|selection|zoom))$/.test(spec)) outside.push(`${file.slice(src.length)}: ${spec}`);
      }
    };
    visit(join(src, "page/entry.ts"));
    expect(seen.size).toBeGreaterThan(5);
    expect([...seen].map((f) => f.slice(src.length))).toEqual(expect.arrayContaining(["page/main.ts", "page/whatIfWorker.ts", "page/whatIfClient.ts"]));
    expect(outside).toEqual([]);
  });
});
