import { describe, it } from "vitest";
import { docSnippets, runSnippet } from "../../../scripts/docSnippets.js";

const readme = new URL("../README.md", import.meta.url).pathname;

describe("README", () => {
  for (const s of docSnippets(readme)) {
    it(`README snippet at line ${s.line} runs`, async () => {
      await runSnippet(s, new URL(".", import.meta.url).pathname, "report-readme");
    });
  }
});
