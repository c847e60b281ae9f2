import type { Category } from "@hbmscope/core";

/**
 * Category colours: Tableau 10 (Tableau's default categorical palette, also d3's
 * `schemeTableau10`), chosen so stacked neighbours differ in hue and lightness.
 */
export const CATEGORY_COLORS: Record<Category, string> = {
  weight: "#4e79a7",
  optimizer: "#f28e2b",
  gradient: "#e15759",
  activation: "#76b7b2",
  input: "#59a14f",
  temporary: "#edc948",
  other: "#bab0ac",
};

/** Further colours for series that are not categories (Tableau 10, the ones not used above first). */
export const SERIES_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

const aliases: Record<string, Category> = {
  weight: "weight", weights: "weight", parameters: "weight", params: "weight", model: "weight",
  gradient: "gradient", gradients: "gradient", grads: "gradient",
  optimizer: "optimizer", "optimizer state": "optimizer", "optimizer states": "optimizer", optimizerstate: "optimizer",
  activation: "activation", activations: "activation",
  input: "input", inputs: "input",
  temporary: "temporary", temporaries: "temporary", workspace: "temporary",
  other: "other",
};

/** The category a free-form part name stands for (`"weights"` → weight), if any. */
export function categoryOfName(name: string): Category | undefined {
  return aliases[name.trim().toLowerCase()];
}

/**
 * A colour per name: the category's colour when the name is a category (or its plural), else the
 * next unused series colour, in order of first appearance.
 */
export function colorsFor(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const n of names) {
    const c = categoryOfName(n);
    if (c && !out.has(n)) {
      out.set(n, CATEGORY_COLORS[c]);
      used.add(CATEGORY_COLORS[c]);
    }
  }
  let k = 0;
  for (const n of names) {
    if (out.has(n)) continue;
    while (k < SERIES_COLORS.length && used.has(SERIES_COLORS[k])) k++;
    const color = SERIES_COLORS[k < SERIES_COLORS.length ? k : out.size % SERIES_COLORS.length];
    used.add(color);
    out.set(n, color);
  }
  return out;
}
