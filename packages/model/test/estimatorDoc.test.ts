import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docPath, tierTable, withTierTable } from "../../../scripts/estimatorTiers.js";

describe("docs/estimator.md", () => {
  it("tierTable() is what docs/estimator.md shows (regenerate: tsx --conditions=source scripts/estimatorTiers.ts --write)", () => {
    const doc = readFileSync(docPath, "utf8");
    expect(doc).toBe(withTierTable(doc, tierTable()));
  });
});
