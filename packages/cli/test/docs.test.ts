import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docSnippets, runSnippet } from "../../../scripts/docSnippets.js";

// The guide, cookbook and CLI reference: every ```ts block runs (from here, so the imports resolve
// as the CLI package's own: it depends on every other package).
const docs = new URL("../../../docs/", import.meta.url).pathname;

for (const file of readdirSync(docs).filter((f) => f.endsWith(".md")).sort()) {
  const snippets = docSnippets(docs + file);
  if (snippets.length === 0) continue;
  describe(`docs/${file}`, () => {
    for (const s of snippets) {
      it(`docs/${file} snippet at line ${s.line} runs`, async () => {
        await runSnippet(s, new URL(".", import.meta.url).pathname, `docs-${file}`);
      });
    }
  });
}

describe("docs/cli.md", () => {
  it("docs/cli.md documents every command, and each command's long flags in its section or under Setup flags", async () => {
    const { readFileSync } = await import("node:fs");
    const { program } = await import("../src/program.js");
    const reference = readFileSync(docs + "cli.md", "utf8");
    const section = (title: string) => {
      const start = reference.indexOf(`\n## ${title}\n`);
      if (start < 0) return undefined;
      const end = reference.indexOf("\n## ", start + 1);
      return reference.slice(start, end < 0 ? undefined : end);
    };
    const shared = section("Setup flags") ?? "";
    const root = await program({ stdout: () => {}, stderr: () => {}, cwd: process.cwd() });
    const missing: string[] = [];
    for (const cmd of root.commands) {
      const own = section(cmd.name());
      if (own === undefined) {
        missing.push(`section "## ${cmd.name()}"`);
        continue;
      }
      for (const opt of cmd.options) {
        if (!opt.long || opt.long === "--help") continue;
        const flag = new RegExp(`${opt.long}(?![a-z-])`);
        if (!flag.test(own) && !flag.test(shared)) missing.push(`${cmd.name()} ${opt.long}`);
      }
    }
    if (missing.length > 0) throw new Error(`docs/cli.md lacks: ${missing.join(", ")}`);
  });

  it("docs/cli.md gives the range of every numeric flag, as the flag's parser checks it", async () => {
    const { readFileSync } = await import("node:fs");
    const { program } = await import("../src/program.js");
    const reference = readFileSync(docs + "cli.md", "utf8");
    const rows = reference.split("\n").filter((l) => l.startsWith("| ")).map((l) => l.split("|").map((c) => c.trim()));
    const fmt = (n: number) => (n >= 1e12 ? n.toExponential().replace("e+", "e") : n.toLocaleString("en-US"));
    const root = await program({ stdout: () => {}, stderr: () => {}, cwd: process.cwd() });
    const missing: string[] = [];
    let checked = 0;
    for (const cmd of root.commands) {
      for (const opt of cmd.options) {
        const range = (opt as unknown as { parseArg?: { range?: [number, number] } }).parseArg?.range;
        if (!range) continue;
        checked++;
        const want = `${fmt(range[0])} to ${fmt(range[1])}`;
        const row = rows.find((r) => r[1].split(", ").includes(cmd.name()) && r[2].includes(`\`${opt.long}\``));
        if (!row || row[3] !== want) missing.push(`${cmd.name()} ${opt.long} (${want})`);
      }
    }
    expect(checked).toBeGreaterThan(30);
    if (missing.length > 0) throw new Error(`docs/cli.md's ranges lack or differ for: ${missing.join(", ")}`);
  });
});
