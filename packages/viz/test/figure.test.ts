import { describe, expect, it } from "vitest";
import { display, figure, jupyterDisplay } from "../src/index.js";

describe("figure", () => {
  it("figure() renders itself in Deno's kernel through Symbol.for('Jupyter.display')", () => {
    const f = figure("<svg/>", 10, 20, "t");
    expect(jupyterDisplay).toBe(Symbol.for("Jupyter.display"));
    expect((f as any)[Symbol.for("Jupyter.display")]()).toEqual({ "image/svg+xml": "<svg/>", "text/plain": "t" });
    expect(JSON.parse(JSON.stringify(f))).toEqual({ svg: "<svg/>", width: 10, height: 20, title: "t" });
  });

  it("display() calls tslab.display.svg when tslab is there", () => {
    const shown: string[] = [];
    expect(display(figure("<svg/>", 1, 1, "t"), { tslab: { display: { svg: (s) => void shown.push(s) } } })).toBeUndefined();
    expect(shown).toEqual(["<svg/>"]);
  });

  it("display() returns the MIME bundle without tslab", () => {
    expect(display(figure("<svg/>", 1, 1, "t"), { tslab: null })).toEqual({ "image/svg+xml": "<svg/>", "text/plain": "t" });
    // tslab is not installed in this workspace: the default lookup falls back to the bundle too.
    expect(display(figure("<svg/>", 1, 1, "t"))).toEqual({ "image/svg+xml": "<svg/>", "text/plain": "t" });
  });
});
