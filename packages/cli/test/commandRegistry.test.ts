import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commandRegistry.js";
import { program } from "../src/program.js";

const src = new URL("../src/", import.meta.url).pathname;
const io = { stdout: () => {}, stderr: () => {}, cwd: "." };

/** The packages a source file reaches through its static imports (dynamic ones load later, on demand). */
function staticPackages(file: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const m of readFileSync(f, "utf8").matchAll(/^(?:import|export) [^;]*? from "([^"]+)"/gm)) {
      const spec = m[1];
      if (spec.startsWith(".")) visit(resolve(dirname(f), spec.replace(/\.js$/, ".ts")));
      else if (spec.startsWith("@hbmscope/")) packages.add(spec.split("/").slice(0, 2).join("/"));
    }
  };
  visit(file);
  return packages;
}

describe("COMMANDS", () => {
  it("COMMANDS lists every command program() registers, in order, each loading its own module", async () => {
    const root = await program(io);
    expect(root.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
    for (const c of COMMANDS) {
      const only = await program(io, [c.name]);
      expect(only.commands.map((x) => x.name())).toEqual([c.name]);
    }
    expect((await program(io, [])).commands).toEqual([]);
  });

  it("COMMANDS: bin.ts loads no package of ours, and each command only what it needs", () => {
    expect([...staticPackages(join(src, "bin.ts"))]).toEqual([]);
    const needs = (name: string) => [...staticPackages(join(src, `commands/${name}.ts`))].sort();
    for (const name of ["inspect", "import", "export"]) expect(needs(name), name).toEqual(["@hbmscope/core"]);
    // replay takes a GPU name (--capacity): the GPU table is the model's; monitor also draws its chart.
    expect(needs("replay")).toEqual(["@hbmscope/core", "@hbmscope/model"]);
    expect(needs("monitor")).toEqual(["@hbmscope/core", "@hbmscope/model", "@hbmscope/viz"]);
    expect(needs("report")).not.toContain("@hbmscope/viz");
  });
});
