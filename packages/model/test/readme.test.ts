import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docSnippets, runSnippet } from "../../../scripts/docSnippets.js";

const readme = new URL("../README.md", import.meta.url).pathname;

describe("README", () => {
  for (const s of docSnippets(readme)) {
    it(`README snippet at line ${s.line} runs`, async () => {
      await runSnippet(s, new URL(".", import.meta.url).pathname, "model-readme");
    });
  }

  it("README's @fast-check/vitest example is test/userFormula.test.ts", () => {
    const text = readFileSync(readme, "utf8");
    const block = /```ts no-run\n([\s\S]*?)```/.exec(text)![1].trim();
    const file = readFileSync(new URL("./userFormula.test.ts", import.meta.url), "utf8");
    expect(file).toContain(block);
  });
});
