import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** What a fuzz run gave: exit code, standard output and error, milliseconds taken. */
export interface FuzzResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Hashes of the files a case reads, to tell whether a run changed one. */
export function fingerprint(paths: string[]): string[] {
  return paths.map((p) => {
    try {
      return createHash("sha256").update(readFileSync(p)).digest("hex");
    } catch {
      return "missing";
    }
  });
}

/** Lines of stderr that are the CLI's own progress, notes and warnings (not errors). */
const CHATTER = /^(note|warning): |^\[\d+\/\d+\] |^profiling one /;
/** Messages of JavaScript's own errors: a bug reached the user instead of a clear message. */
const INTERNAL = /\n\s+at .+:\d+:\d+|is not a function|Cannot read propert|undefined is not|Maximum call stack|is not iterable|Invalid array length|Invalid string length/;
/** Characters a terminal acts on (C0 but tab and newline, DEL, C1). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Why a fuzz run failed (undefined when it passed): an exit code other than 0, 1, 2 or 3; more
 * than one error line on stderr (notes, warnings and progress aside; with `reportOnStderr`, a run
 * writing its output to stdout prints its report there); a stack trace or a
 * JavaScript error message; a raw control character printed; a changed input; over `boundMs`.
 */
export function fuzzFailure(r: FuzzResult, before: string[], after: string[], boundMs: number, reportOnStderr = false): string | undefined {
  if (![0, 1, 2, 3].includes(r.code)) return `exit code ${r.code}`;
  // With an output to stdout (`-o -`), a run that succeeds prints its report on stderr.
  const errors = reportOnStderr && r.code === 0 ? [] : r.stderr.split("\n").filter((l) => l !== "" && !CHATTER.test(l));
  if (errors.length > 1) return `${errors.length} error lines on stderr: ${JSON.stringify(r.stderr.slice(0, 300))}`;
  if (INTERNAL.test(r.stderr)) return `an internal error: ${JSON.stringify(r.stderr.slice(0, 300))}`;
  if (r.code !== 0 && errors.length === 0) return `exit code ${r.code} without a message`;
  if (RAW_CONTROL.test(r.stdout) || RAW_CONTROL.test(r.stderr)) return "a raw control character printed";
  if (before.some((h, i) => h !== after[i])) return "an input file changed";
  if (r.ms > boundMs) return `took ${Math.round(r.ms)} ms, over the ${boundMs} ms bound`;
  return undefined;
}
