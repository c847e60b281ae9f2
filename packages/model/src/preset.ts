import type { ModelSpec } from "./modelSpec.js";
import { presetAliases, presets } from "./presets.js";

/** Lower case, `_` and spaces to `-`, an org prefix (`meta-llama/`) dropped, `-hf` dropped. */
function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/^.*\//, "").replace(/[\s_]+/g, "-").replace(/-hf$/, "");
}

/** Edit distance (Levenshtein), for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The preset names nearest to `name`, nearest first. */
export function nearestPresets(name: string, count = 3): string[] {
  const n = normalise(name);
  return Object.keys(presets)
    .map((p) => ({ p, d: distance(n, p) - (p.startsWith(n) || n.startsWith(p) ? 2 : 0) }))
    .sort((a, b) => a.d - b.d || a.p.localeCompare(b.p))
    .slice(0, count)
    .map((x) => x.p);
}

/**
 * A preset's ModelSpec by name (case and `_`/space insensitive; `meta-llama/Llama-2-7b-hf` works).
 * An unknown name throws an Error that suggests the nearest names and lists them all.
 */
export function preset(name: string): ModelSpec {
  const n = normalise(String(name));
  const key = presetAliases[n] ?? n;
  const p = presets[key];
  if (!p) {
    throw new Error(
      `preset: unknown model ${JSON.stringify(name)}; did you mean ${nearestPresets(name).join(", ")}? ` +
        `Known: ${Object.keys(presets).join(", ")} (or pass a config.json)`,
    );
  }
  return p.spec;
}
