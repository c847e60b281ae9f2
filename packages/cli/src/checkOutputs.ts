import { closeSync, constants, openSync, realpathSync, statSync, unlinkSync, type Stats } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CliError } from "./cliError.js";
import { fsErrorText } from "./fsErrorText.js";
import type { Io } from "./io.js";
import { makeDirectories, STDOUT_PATH } from "./writeOutput.js";

/** An output a command will write: the flag that names it, its path, and whether it is a directory of files. */
export interface PlannedOutput {
  flag: string;
  path: string | undefined;
  /** A directory the command writes files into (`compare-attention --out`). @defaultValue false */
  directory?: boolean;
}

/**
 * Checks, before any work, that every output can be written, so a long run never ends on a bad
 * `--out`: each path's directory exists or can be created, and a file can be created there (a
 * probe file is made and removed: `access()` says yes to root everywhere, even under /proc); an
 * existing target is not a directory. Refuses (exit 2) an output that is one of `inputs` (the
 * same file, also through a symbolic or hard link: compared by device and inode), two outputs that
 * name the same file, more than one `-` (standard output), and `-` for a directory output.
 * Returns `toStdout`: whether an output goes to standard output (the command's own report then
 * goes to standard error; with `json`, `--json` and `-` would both want standard output: refused).
 */
export function checkOutputs(io: Io, outputs: PlannedOutput[], inputs: (string | undefined)[] = [], json = false): { toStdout: boolean } {
  const given = outputs.filter((o): o is PlannedOutput & { path: string } => o.path !== undefined);
  const toStdout = given.filter((o) => o.path === STDOUT_PATH);
  if (toStdout.length > 1) throw new CliError(`${toStdout.map((o) => o.flag).join(" and ")} cannot both write to standard output (-)`, 2);
  if (json && toStdout.length > 0 && !toStdout[0].directory) throw new CliError(`--json and ${toStdout[0].flag} - would both write to standard output; name a file for ${toStdout[0].flag}`, 2);
  const inputStats: { path: string; stat: Stats }[] = [];
  for (const input of inputs) {
    if (input === undefined) continue;
    const stat = statOrUndefined(resolve(io.cwd, input));
    if (stat) inputStats.push({ path: input, stat });
  }
  const seen = new Map<string, string>();
  for (const o of given) {
    if (o.path === STDOUT_PATH) {
      if (o.directory) throw new CliError(`${o.flag} takes a directory here, not - (standard output)`, 2);
      continue;
    }
    if (o.path === "") throw new CliError(`${o.flag} needs a path, got an empty one`, 2);
    const full = resolve(io.cwd, o.path);
    const stat = statOrUndefined(full);
    if (stat) {
      const same = inputStats.find((i) => i.stat.dev === stat.dev && i.stat.ino === stat.ino);
      if (same) throw new CliError(`${o.flag} ${o.path} is the input ${same.path}; writing it would replace the input: name another file`, 2);
    }
    const key = canonical(full);
    const other = seen.get(key);
    if (other !== undefined) throw new CliError(`${o.flag} ${o.path} is the same file as ${other}; name two different files`, 2);
    seen.set(key, `${o.flag} ${o.path}`);
    probe(o, full, stat);
  }
  return { toStdout: toStdout.length > 0 };
}

/** The path with its existing part's links resolved, to tell whether two outputs are one file. */
function canonical(full: string): string {
  const rest: string[] = [];
  let d = full;
  while (true) {
    try {
      return join(realpathSync(d), ...rest.reverse());
    } catch {
      const up = dirname(d);
      if (up === d) return full;
      rest.push(basename(d));
      d = up;
    }
  }
}

function probe(o: PlannedOutput, full: string, stat: Stats | undefined) {
  const fail = (why: string): never => {
    throw new CliError(`${o.flag}: cannot write ${o.path}: ${why}`);
  };
  if (o.directory) {
    if (stat && !stat.isDirectory()) fail("it is a file, not a directory");
  } else if (stat?.isDirectory()) fail("it is a directory (EISDIR)");
  // A device or FIFO is written into as it is (writeOutput): nothing to create beside it.
  if (stat && !stat.isFile() && !stat.isDirectory()) return;
  const dir = o.directory ? full : dirname(full);
  try {
    makeDirectories(dir);
    const test = join(dir, `.hbmscope-probe.${process.pid}.tmp`);
    closeSync(openSync(test, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
    unlinkSync(test);
  } catch (e) {
    fail(fsErrorText(e));
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
