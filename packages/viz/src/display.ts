import { jupyterDisplay, type Figure, type MimeBundle } from "./figure.js";

/** The part of tslab's module that `display` uses. */
export interface TslabLike {
  display: { svg(svg: string): void };
}

export interface DisplayOptions {
  /** The tslab module to display with; by default `require("tslab")` where it can be loaded. */
  tslab?: TslabLike | null;
}

/**
 * Shows a figure in a notebook. In tslab (which ignores `Symbol.for("Jupyter.display")`) it calls
 * `tslab.display.svg` and returns `undefined`; elsewhere (Deno's kernel, plain Node) it returns the
 * MIME bundle, which Deno renders when it is a cell's value.
 */
export function display(fig: Figure, options: DisplayOptions = {}): MimeBundle | undefined {
  const tslab = options.tslab === undefined ? loadTslab() : options.tslab;
  if (tslab) {
    tslab.display.svg(fig.svg);
    return undefined;
  }
  return fig[jupyterDisplay]();
}

/** `require("tslab")` from this package or the working directory; null where there is no Node `require`. */
function loadTslab(): TslabLike | null {
  // process.getBuiltinModule (Node >= 20.16) instead of a static `node:module` import, so the
  // package still loads where there is no Node (a browser bundle, a Deno notebook without it).
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; cwd?: () => string } }).process;
  const nodeModule = proc?.getBuiltinModule?.("node:module") as typeof import("node:module") | undefined;
  if (!nodeModule) return null;
  const { createRequire } = nodeModule;
  const from = [import.meta.url, `${proc?.cwd?.() ?? "."}/`];
  for (const base of from) {
    try {
      const mod = createRequire(base)("tslab") as TslabLike;
      if (typeof mod?.display?.svg === "function") return mod;
    } catch {
      /* not installed here: try the next place, else fall back to the MIME bundle */
    }
  }
  return null;
}
