/**
 * Runs the code in docs so docs cannot drift: every ```ts block of a markdown file becomes a module,
 * written next to the package's tests (so its imports resolve as the package's own) and imported.
 * A block fenced as ```ts no-run is skipped (for shell-like or deliberately failing examples).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface Snippet {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
}

export function docSnippets(markdownPath: string): Snippet[] {
  const lines = readFileSync(markdownPath, "utf8").split("\n");
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)(\s+.*)?$/.exec(lines[i].trim());
    if (!open || /no-run/.test(open[2] ?? "")) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== "```"; i++) body.push(lines[i]);
    out.push({ line: start + 1, code: body.join("\n") });
  }
  return out;
}

/** Writes a snippet as a module under `dir/.docs/` and imports it; returns the module. */
export async function runSnippet(snippet: Snippet, dir: string, name: string): Promise<unknown> {
  const folder = join(dir, ".docs");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${name.replace(/[^a-z0-9]+/gi, "-")}-${snippet.line}.ts`);
  writeFileSync(file, snippet.code + "\n");
  try {
    return await import(/* @vite-ignore */ file);
  } finally {
    rmSync(file, { force: true });
    try {
      rmSync(dirname(file), { recursive: false });
    } catch {
      /* other snippets still there */
    }
  }
}
