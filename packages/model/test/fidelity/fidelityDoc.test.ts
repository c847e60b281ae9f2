import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { END, START, fidelityTable } from "../../../../scripts/fidelityTable.js";

describe("fidelityTable()", () => {
  it("fidelityTable() is what docs/simulator.md shows (regenerate: tsx --conditions=source scripts/fidelityTable.ts --write)", () => {
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "..", "..", "docs", "simulator.md"), "utf8");
    const block = doc.slice(doc.indexOf(START) + START.length, doc.indexOf(END)).trim();
    expect(block).toBe(fidelityTable().trim());
  });
});
