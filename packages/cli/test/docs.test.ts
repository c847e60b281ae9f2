import { readdirSync } from "node:fs";
import { describe, it } from "vitest";
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
    const root = program({ stdout: () => {}, stderr: () => {}, cwd: process.cwd() });
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
});
