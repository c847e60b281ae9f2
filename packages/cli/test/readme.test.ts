import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { readmePath, withReference } from "../../../scripts/cliReference.js";

it("README command reference equals each command's --help (regenerate: tsx --conditions=source scripts/cliReference.ts)", async () => {
  const readme = readFileSync(readmePath, "utf8");
  expect(readme).toBe(await withReference(readme));
});
