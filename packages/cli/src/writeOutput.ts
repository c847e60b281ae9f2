import { closeSync, constants, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, chmodSync, type Stats } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CliError } from "./cliError.js";
import { fsErrorText } from "./fsErrorText.js";
import type { Io } from "./io.js";

/** `-` as an output path means standard output. */
export const STDOUT_PATH = "-";

/**
 * Writes a file the user asked for (`--out`, `--svg`), creating its directory, atomically: the
 * content goes to a temporary file beside the target (`.<name>.<pid>-<n>.tmp`), is flushed to disk,
 * and only then renamed over the target. A full disk, a failure half-way or Ctrl-C leaves the
 * file that was there (if any) as it was, never a truncated one. A target that is a symbolic link
 * is written through (the file it points to is replaced, the link stays); one that is not a
 * regular file (`/dev/null`, a FIFO) is written into directly. `-` writes to standard output
 * (`io` needed). `content` may come in pieces (e.g. `serializeTraceChunks`), written as they come,
 * for files too large for one string. `at` is the directory relative paths resolve against, or
 * an `Io` (its `cwd`). Returns the full path written (`-` for standard output). Failures are
 * `CliError`s naming the flag, the path and the reason in words.
 */
export function writeOutput(path: string, content: string | Uint8Array | Iterable<string>, at: string | Io, flag = "--out"): string {
  const io = typeof at === "string" ? undefined : at;
  if (path === STDOUT_PATH) {
    if (!io) throw new CliError(`${flag}: cannot write to standard output here`);
    writeStdout(content, io, flag);
    return STDOUT_PATH;
  }
  const full = resolve(io ? io.cwd : (at as string), path);
  const fail = (e: unknown): never => {
    if (e instanceof CliError) throw e;
    throw new CliError(`${flag}: cannot write ${path}: ${fsErrorText(e)}`);
  };
  let target = full;
  let existing: Stats | undefined;
  try {
    makeDirectories(dirname(full));
    existing = statOrUndefined(full);
    if (existing?.isDirectory()) throw new CliError(`${flag}: cannot write ${path}: it is a directory (EISDIR)`);
    if (existing) target = realpathSync(full);
  } catch (e) {
    fail(e);
  }
  // A device or a FIFO is written into: renaming over /dev/null would replace the device.
  if (existing && !existing.isFile()) {
    try {
      const fd = openSync(target, constants.O_WRONLY);
      try {
        writeAll(fd, content);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      fail(e);
    }
    return full;
  }
  // A name near the file system's limit (255 bytes) keeps a short temporary name.
  const name = Buffer.byteLength(basename(target)) > 200 ? "hbmscope" : basename(target);
  const temp = join(dirname(target), `.${name}.${process.pid}-${++tempCount}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    writeAll(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (existing) chmodSync(temp, existing.mode & 0o7777);
    renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the first error is the one to report
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    fail(e);
  }
  return full;
}

let tempCount = 0;

function writeAll(fd: number, content: string | Uint8Array | Iterable<string>) {
  if (typeof content === "string" || content instanceof Uint8Array) writeWhole(fd, content);
  else for (const piece of content) writeWhole(fd, piece);
}

/** writeSync may write less than asked (a full disk answers with a short write, then ENOSPC). */
function writeWhole(fd: number, piece: string | Uint8Array) {
  const bytes = typeof piece === "string" ? Buffer.from(piece) : piece;
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

function writeStdout(content: string | Uint8Array | Iterable<string>, io: Io, flag: string) {
  if (content instanceof Uint8Array) {
    if (!io.stdoutBytes) throw new CliError(`${flag} -: binary output cannot go to standard output here; name a file`);
    io.stdoutBytes(content);
  } else if (typeof content === "string") io.stdout(content);
  else for (const piece of content) io.stdout(piece);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Creates `dir` and its missing parents one level at a time. (Node's recursive mkdir never
 * returns under /proc, where a missing parent reads as neither present nor creatable.)
 */
export function makeDirectories(dir: string) {
  const missing: string[] = [];
  let d = dir;
  while (true) {
    const s = statOrUndefined(d);
    if (s) {
      if (!s.isDirectory()) throw Object.assign(new Error(`${d} is not a directory`), { code: "ENOTDIR" });
      break;
    }
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}
