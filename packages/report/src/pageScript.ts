import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

let cached: string | undefined;

/**
 * The report page's script: `page/main.ts` with @hbmscope/core, the d3 modules and its own
 * helpers bundled for the browser by esbuild (one minified IIFE, no imports left). Built the first
 * time a process writes a report (a few hundred milliseconds) and kept for the next ones; built from
 * the sources that ship with the package, so it can never be stale and needs no build step.
 */
export function pageScript(): string {
  if (cached !== undefined) return cached;
  // From src/ (source runs, tests) the entry is main.ts; from dist/ (the published package) main.js.
  const ts = fileURLToPath(new URL("./page/main.ts", import.meta.url));
  const entry = existsSync(ts) ? ts : fileURLToPath(new URL("./page/main.js", import.meta.url));
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    // Workspace packages resolve to their TypeScript sources, as under vitest and tsx.
    conditions: ["source"],
    logLevel: "silent",
  });
  cached = result.outputFiles[0].text;
  return cached;
}
