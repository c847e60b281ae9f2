import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { committedNotebook, outputProblems, svgDigest, type Notebook } from "../../../scripts/notebookOutputs.js";

const dir = new URL("../../../examples/notebooks/", import.meta.url).pathname;
const notebooks = readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
const source = (c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join("") : c.source);

const svg = (texts: string[], x = 1) => `<svg><title>t</title><desc>d</desc><rect x="${x}"/>${texts.map((t) => `<text x="${x}">${t}</text>`).join("")}</svg>`;
const nb = (outputs: unknown[][]): Notebook => ({ cells: outputs.map((o) => ({ cell_type: "code", source: "", outputs: o as never })) });
const value = (data: Record<string, unknown>) => ({ output_type: "execute_result", data, metadata: {}, execution_count: 1 });

describe("notebooks", () => {
  for (const name of notebooks) {
    it(`${name} is committed executed: every code cell ran, every chart it promises is there, no error`, () => {
      const book = JSON.parse(readFileSync(join(dir, name), "utf8")) as Notebook;
      const code = book.cells.filter((c) => c.cell_type === "code");
      expect(code.length).toBeGreaterThan(0);
      for (const [k, c] of code.entries()) {
        expect(c.execution_count, `${name} code cell ${k + 1} has not run`).toBeGreaterThan(0);
        expect((c.outputs ?? []).some((o) => o.output_type === "error"), `${name} code cell ${k + 1} failed`).toBe(false);
        if (/^\s*\/\/\s*expect:\s*svg\b/m.test(source(c))) {
          expect((c.outputs ?? []).some((o) => o.data?.["image/svg+xml"]), `${name} code cell ${k + 1} has no chart`).toBe(true);
        }
      }
      // Outputs stay small: charts and short tables, no report page.
      expect(readFileSync(join(dir, name)).length).toBeLessThan(3 * 2 ** 20);
      expect(JSON.stringify(book)).not.toContain('"text/html"');
    });
  }

  it("outputProblems() accepts the same text and charts whose coordinates moved, and names what differs", () => {
    const committed = nb([[value({ "text/plain": "{ peak: '1.00 GiB' }" })], [value({ "image/svg+xml": svg(["peak 1.00 GiB"]) })]]);
    expect(outputProblems(committed, nb([[value({ "text/plain": "{ peak: '1.00 GiB' }" })], [value({ "image/svg+xml": svg(["peak 1.00 GiB"], 1.0001) })]]))).toEqual([]);
    expect(outputProblems(committed, nb([[value({ "text/plain": "{ peak: '1.01 GiB' }" })], [value({ "image/svg+xml": svg(["peak 1.00 GiB"]) })]]))).toEqual([
      `code cell 1: output 1 differs: committed {"text":"{ peak: '1.00 GiB' }"}, now {"text":"{ peak: '1.01 GiB' }"}`,
    ]);
    expect(outputProblems(committed, nb([[value({ "text/plain": "{ peak: '1.00 GiB' }" })], [value({ "image/svg+xml": svg(["peak 2.00 GiB"]) })]]))).toEqual([
      'code cell 2, chart: text 1 differs: committed "peak 1.00 GiB", now "peak 2.00 GiB"',
    ]);
    expect(outputProblems(nb([[]]), nb([[value({ "text/plain": "1" })]]))[0]).toMatch(/committed without outputs/);
  });

  it("committedNotebook() drops report pages and timings, keeps text and charts; outputProblems() still sees the page", () => {
    const executed: Notebook = {
      cells: [{ cell_type: "code", source: "", metadata: { execution: { started: "now" } }, outputs: [value({ "text/html": "<html>…</html>", "text/plain": "report" }), value({ "image/svg+xml": svg(["a"]) })] }],
    };
    const c = committedNotebook(executed);
    expect(c.cells[0].metadata).toEqual({});
    expect(c.cells[0].outputs![0].data).toEqual({ "text/plain": "report" });
    expect(c.cells[0].outputs![1].data).toEqual({ "image/svg+xml": svg(["a"]) });
    expect(outputProblems(c, executed)).toEqual([]);
    expect(svgDigest(svg(["a", "b"])).texts).toEqual(["a", "b"]);
  });
});
