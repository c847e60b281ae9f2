import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const src = new URL("../src/", import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

describe("@hbmscope/viz", () => {
  it("@hbmscope/viz imports only @hbmscope/core, d3 submodules (no node:, no DOM, no model, no tfjs)", () => {
    const allowed = /^(\.|@hbmscope\/core$|d3-(scale|shape|array|format)$)/;
    const foreign = files(src).flatMap((f) => [...readFileSync(f, "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]).filter((s) => !allowed.test(s)).map((s) => `${f}: ${s}`));
    expect(foreign).toEqual([]);
  });
});
