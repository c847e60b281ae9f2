/** The MIME bundle a notebook shows: the SVG, and the title for plain-text front ends. */
export interface MimeBundle {
  "image/svg+xml": string;
  "text/plain": string;
}

/** `Symbol.for("Jupyter.display")`: the method Deno's Jupyter kernel calls to render a cell's value. */
export const jupyterDisplay: unique symbol = Symbol.for("Jupyter.display");

/**
 * A rendered chart: standalone SVG markup and its size in pixels. As a notebook cell's value it
 * renders itself (Deno's Jupyter kernel calls `[Symbol.for("Jupyter.display")]()`).
 */
export interface Figure {
  svg: string;
  width: number;
  height: number;
  title: string;
  [jupyterDisplay]: () => MimeBundle;
}

/** A figure from SVG markup (the display method is a plain closure: the figure stays serialisable as JSON). */
export function figure(svg: string, width: number, height: number, title: string): Figure {
  return {
    svg,
    width,
    height,
    title,
    [jupyterDisplay]: () => ({ "image/svg+xml": svg, "text/plain": title }),
  };
}
