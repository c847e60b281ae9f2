import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * The report page's script: `page/entry.ts` (the page, `page/main.ts`, and in a Web Worker the
 * what-if replays, `page/whatIfWorker.ts`) with @hbmscope/core, the d3 modules and its own
 * helpers bundled for the browser by esbuild (one minified IIFE, no imports left). The built package
 * ships it as `dist/page.js` (bundled by `pnpm build`, so installing the package needs no esbuild and
 * runs no build script); run from the sources (tests, `tsx`), it is bundled the first time a process
 * writes a report (a few hundred milliseconds) with esbuild, a development dependency, and kept.
 */
export function pageScript(): string {
  if (cached !== undefined) return cached;
  const built = fileURLToPath(new URL("./page.js", import.meta.url));
  if (existsSync(built)) {
    cached = readFileSync(built, "utf8");
    return cached;
  }
  cached = bundlePage();
  return cached;
}

/** Bundles `page/entry` (the page, and its what-if worker) with esbuild (from the sources, or from `dist/page/entry.js` at build time). */
export function bundlePage(): string {
  // From src/ (source runs, tests) the entry is entry.ts; from dist/ (the published package) entry.js.
  const ts = fileURLToPath(new URL("./page/entry.ts", import.meta.url));
  const entry = existsSync(ts) ? ts : fileURLToPath(new URL("./page/entry.js", import.meta.url));
  // esbuild is needed only to bundle: loaded here, never by a built package that ships page.js.
  const { buildSync } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
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
  return result.outputFiles[0].text;
}
