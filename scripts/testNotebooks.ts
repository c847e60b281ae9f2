/**
 * `pnpm test:notebooks`: executes every notebook in examples/notebooks with Jupyter's nbconvert (the
 * Deno kernel that `pnpm notebooks:setup` registers) into a temporary folder, and fails when a cell
 * errors, when a code cell marked `// expect: svg` has no `image/svg+xml` output, when one marked
 * `// expect: html` has no `text/html` output (a report page), or when the outputs differ from the
 * ones committed in the notebook (scripts/notebookOutputs.ts: text and numbers exactly, charts by
 * their text and elements). Notebooks are committed executed, so they show their numbers and charts
 * on GitHub and to anyone without Jupyter and Deno.
 * Usage: tsx scripts/testNotebooks.ts [--out dir] [--update] [name-filter ...]
 * (`--out`: keep the executed notebooks there instead of in a temporary folder that is removed;
 * `--update`: write the executed notebooks' outputs into examples/notebooks instead of comparing).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { committedNotebook, outputProblems, type Notebook } from "./notebookOutputs.js";

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
}

/** The problems of one executed notebook; empty when it passed. */
export function notebookProblems(executed: { cells: Cell[] }): string[] {
  const problems: string[] = [];
  executed.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const outputs = cell.outputs ?? [];
    for (const o of outputs) {
      if (o.output_type === "error") problems.push(`cell ${i + 1}: ${o.ename}: ${o.evalue}`);
    }
    if (/^\s*\/\/\s*expect:\s*svg\b/m.test(source) && !outputs.some((o) => o.data?.["image/svg+xml"])) {
      problems.push(`cell ${i + 1}: marked "// expect: svg" but has no image/svg+xml output`);
    }
    if (/^\s*\/\/\s*expect:\s*html\b/m.test(source) && !outputs.some((o) => typeof o.data?.["text/html"] === "string" || Array.isArray(o.data?.["text/html"]))) {
      problems.push(`cell ${i + 1}: marked "// expect: html" but has no text/html output`);
    }
  });
  return problems;
}

/** Runs of a notebook before a missing output counts as a failure (see the retry below). */
const ATTEMPTS = 3;

/**
 * `jupyter nbconvert --to notebook --execute`, with nbconvert's execute preprocessor swapped for
 * one that waits briefly after each cell's idle status (scripts/notebooks/draining_execute.py).
 * Like `--execute`, it fails on the first cell that errors.
 */
function execute(notebook: string, cwd: string, outDir: string) {
  const preprocessor = "DrainingExecutePreprocessor";
  return spawnSync(
    "jupyter",
    [
      "nbconvert", "--to", "notebook",
      `--Exporter.preprocessors=["draining_execute.${preprocessor}"]`,
      `--${preprocessor}.enabled=True`,
      `--${preprocessor}.kernel_name=deno`,
      `--${preprocessor}.timeout=600`,
      "--output-dir", outDir, notebook,
    ],
    { encoding: "utf8", cwd, env: { ...process.env, PYTHONPATH: [DRAIN_DIR, process.env.PYTHONPATH].filter(Boolean).join(":") } },
  );
}

const DRAIN_DIR = resolve(import.meta.dirname, "notebooks");

function main(): number {
  const dir = resolve(import.meta.dirname, "../examples/notebooks");
  const args = process.argv.slice(2);
  const outAt = args.indexOf("--out");
  const keep = outAt >= 0 ? args.splice(outAt, 2)[1] : undefined;
  if (outAt >= 0 && !keep) {
    console.error("test:notebooks: --out needs a folder");
    return 1;
  }
  const updateAt = args.indexOf("--update");
  const update = updateAt >= 0;
  if (update) args.splice(updateAt, 1);
  const filters = args;
  const notebooks = readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb"))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (notebooks.length === 0) {
    console.error(`test:notebooks: no notebook in ${dir} matches ${filters.join(", ") || "*.ipynb"}`);
    return 1;
  }
  const out = keep ? resolve(keep) : mkdtempSync(join(tmpdir(), "hbmscope-notebooks-"));
  if (keep) mkdirSync(out, { recursive: true });
  let failed = 0;
  try {
    for (const name of notebooks) {
      const started = performance.now();
      let problems: string[] = [];
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const run = execute(join(dir, name), dir, out);
        if (run.error) {
          console.error(`test:notebooks: cannot run jupyter (${run.error.message}); run \`pnpm notebooks:setup\` first`);
          return 1;
        }
        if (run.status !== 0) {
          // nbconvert fails on the kernel's execute_reply status (shell channel): reliable, no retry.
          const tail = (run.stderr + run.stdout).split("\n").filter((l) => l.trim()).slice(-15).join("\n");
          problems = [`nbconvert exited with ${run.status}:\n${tail}`];
          break;
        }
        const executed = JSON.parse(readFileSync(join(out, name), "utf8")) as Notebook;
        problems = notebookProblems(executed);
        if (problems.length === 0 && update) {
          writeFileSync(join(dir, name), JSON.stringify(committedNotebook(executed), null, 1) + "\n");
          console.log(`wrote ${name} with its outputs`);
        } else if (problems.length === 0) {
          problems = outputProblems(JSON.parse(readFileSync(join(dir, name), "utf8")) as Notebook, executed);
          if (problems.length > 0) problems.push("if the change is meant: pnpm test:notebooks --update, and commit the notebook");
          // Outputs that differ are a result, not a lost message: no retry.
          if (problems.length > 0) break;
        }
        if (problems.length === 0 || attempt === ATTEMPTS) break;
        // Deno's kernel (2.9) sometimes publishes `status: idle` before a cell's execute_result;
        // the draining preprocessor waits for it, and should it still be lost, a rerun brings it
        // back. A chart that is really missing is missing every time.
        console.log(`retry ${name}: ${problems.join("; ")} (attempt ${attempt} of ${ATTEMPTS})`);
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (problems.length === 0) {
        console.log(`ok    ${name} (${seconds} s)`);
      } else {
        failed++;
        console.log(`FAIL  ${name} (${seconds} s)\n  ${problems.join("\n  ")}`);
      }
    }
  } finally {
    if (!keep) rmSync(out, { recursive: true, force: true });
  }
  console.log(`notebooks: ${notebooks.length - failed} of ${notebooks.length} passed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
