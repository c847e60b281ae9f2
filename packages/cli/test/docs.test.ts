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
