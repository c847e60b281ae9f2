import type { Category } from "@hbmscope/core";

/**
 * Category colours, one per category in every chart: the Okabe-Ito palette (Okabe & Ito 2008,
 * "Color Universal Design", https://jfly.uni-koeln.de/color/), which stays distinguishable under
 * the common colour-vision deficiencies; `other` is a neutral grey.
 */
export const CATEGORY_COLORS: Record<Category, string> = {
  weight: "#0072B2",
  optimizer: "#E69F00",
  gradient: "#D55E00",
  activation: "#009E73",
  input: "#56B4E9",
  temporary: "#F0E442",
  other: "#999999",
};

/** Fixed colours of parts that are not categories but appear in several charts (the estimate's overhead). */
export const PART_COLORS: Record<string, string> = {
  overhead: "#CC79A7",
};

/** Colours for series that are not categories (attention variants, GPUs): Okabe-Ito, in its order. */
export const SERIES_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"];

/** WCAG 2 relative luminance of a `#rrggbb` colour (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance). */
export function luminance(hex: string): number {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`luminance: expected a #rrggbb colour, got ${JSON.stringify(hex)}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two colours, 1 to 21 (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
}

/** Dark text colour drawn on light fills. */
export const DARK_TEXT = "#111111";

/** The text colour for a label on `fill`: white, or dark text where white would have less contrast. */
export function textColorOn(fill: string): string {
  return contrastRatio("#ffffff", fill) >= contrastRatio(DARK_TEXT, fill) ? "#ffffff" : DARK_TEXT;
}

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
 * A colour per name: the category's colour when the name is a category (or its plural), the fixed
 * colour of a known part (`overhead`), else the next unused series colour, in order of first appearance.
 */
export function colorsFor(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const n of names) {
    const fixed = PART_COLORS[n.trim().toLowerCase()];
    const c = categoryOfName(n);
    const color = fixed ?? (c ? CATEGORY_COLORS[c] : undefined);
    if (color && !out.has(n)) {
      out.set(n, color);
      used.add(color);
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
