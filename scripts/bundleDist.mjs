// Rewrites a package's entry points in dist/ (tsc's output) as bundles: each entry and the files it
// imports become one module, with code shared between entries or loaded lazily (`import("./x.js")`)
// in chunk files beside them. Every bare import (the other @hbmscope packages, d3, commander,
// TensorFlow.js...) stays an import, so each package is still loaded once per process.
//
// Why: Node loads an ES module graph file by file (resolve, read, compile). @hbmscope/core's 66
// files took 50-70 ms to load, about 10 ms as one file, and every CLI command pays that at start.
// tsc's per-file output stays in dist/ (the .d.ts files describe it; nothing loads the .js files).
//
// Usage, in a package folder after tsc: node ../../scripts/bundleDist.mjs index [testing ...]
// (entry names in dist/, without .js).
import { buildSync } from "esbuild";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const entries = process.argv.slice(2);
if (entries.length === 0) {
  process.stderr.write("bundleDist: name the entry points in dist/ (without .js), e.g. index testing\n");
  process.exit(2);
}
const out = mkdtempSync(join(tmpdir(), "hbmscope-bundle-"));
try {
  buildSync({
    entryPoints: entries.map((e) => `dist/${e}.js`),
    outdir: out,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "neutral",
    packages: "external",
    // Node's built-in modules are imported by name (node:fs, ...): leave them to the runtime.
    external: ["node:*"],
    chunkNames: "chunk-[hash]",
    logLevel: "warning",
    // Not minified: names and code stay as written, for stack traces and readers.
    minify: false,
  });
  for (const f of readdirSync(out)) cpSync(join(out, f), join("dist", f));
} finally {
  rmSync(out, { recursive: true, force: true });
}
