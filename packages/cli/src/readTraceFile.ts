import { isAscii } from "node:buffer";
import { readFileSync, statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { importTorchSnapshot, parseTrace, readTraceSource, type ReadTraceSourceOptions, type Trace } from "@hbmscope/core";
import { CliError } from "./cliError.js";
import { fileSource, fileStartsWith, firstByteOf } from "./fileSource.js";
import { importSnapshotFile } from "./importSnapshotFile.js";
import { jsonFirstKey } from "./jsonFirstKey.js";

/**
 * JSON files larger than this (bytes) are read in chunks (`readTraceSource`, `importSnapshotFile`:
 * columns, no objects, and without `JSON.parse`'s limit of one string, about 512 MiB). Smaller
 * ones are parsed whole, except traces as hbmscope writes them (see `readTraceFile`).
 */
const STREAM_ABOVE = 128 * 2 ** 20;

/** First keys that mark a PyTorch snapshot saved as JSON (the dict `_snapshot()` returns). */
const SNAPSHOT_KEYS = new Set(["segments", "device_traces", "allocator_settings"]);

/** Extensions PyTorch memory snapshots are saved under (`_dump_snapshot("x.pickle")`). */
const PICKLE_EXTENSIONS = new Set([".pickle", ".pkl", ".pk"]);

/**
 * Reads and validates a trace file, turning every failure into one clear line. A PyTorch memory
 * snapshot is accepted too and imported on the fly (`importTorchSnapshot`): a pickle (by its
 * extension or its first byte, 0x80) or a JSON object with `segments` / `device_traces`, so every
 * command that reads a trace (inspect, render, replay, export) takes a snapshot directly. JSON over
 * 128 MiB is read in chunks (a trace with `readTraceSource`, a snapshot with `importSnapshotFile`),
 * so files larger than one string can hold (such as the trace `hbmscope import` writes for a 1 GB
 * snapshot) read too; so is a trace of any size that starts as hbmscope writes one: measured on a
 * 1M-event training trace (105 MiB), 0.6 s against 0.9 s for `JSON.parse` then `parseTrace`, at
 * 10% less peak memory.
 * `options.streamAbove`: that size in bytes. @defaultValue 128 MiB. `options.onRead`: progress of
 * the chunked reads (see `fileSource`; the CLI passes `readProgress`). `options.rows`: how a trace
 * read in chunks keeps its buffers' fields (`readTraceSource`'s option; `replay` passes "reread":
 * only its out-of-memory report names a buffer). @defaultValue "kept"
 */
export function readTraceFile(
  path: string,
  cwd: string,
  options: { streamAbove?: number; onRead?: (bytes: number, total: number, pass: number) => void; rows?: ReadTraceSourceOptions["rows"] } = {},
): Trace {
  const rows = options.rows;
  const streamAbove = options.streamAbove ?? STREAM_ABOVE;
  const onRead = options.onRead;
  const file = resolve(cwd, path);
  let data: Buffer | undefined;
  let pickle = false;
  let large = false;
  let ours = false;
  try {
    // A pickle is read in chunks, never whole (see `importSnapshotFile`); so is a large trace, and
    // a trace as hbmscope writes it.
    pickle = firstByteOf(file) === 0x80 || PICKLE_EXTENSIONS.has(extname(path).toLowerCase());
    large = !pickle && statSync(file).size > streamAbove;
    ours = !pickle && !large && fileStartsWith(file, HBMSCOPE_START);
    if (!pickle && !large && !ours) data = readFileSync(file);
  } catch (e) {
    throw new CliError(`cannot read trace file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (large) {
    try {
      // A snapshot saved as JSON starts with its own keys (torch.cuda.memory._snapshot()'s dict).
      if (SNAPSHOT_KEYS.has(jsonFirstKey(file) ?? "")) return importSnapshotFile(file, { streamAbove, onRead });
      return readTraceSource(fileSource(file, undefined, onRead), { rows });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code) throw new CliError(`cannot read trace file ${path}: ${code}`);
      throw new CliError(`${path}: ${(e as Error).message}`);
    }
  }
  if (ours) {
    // A trace as hbmscope writes it is read in chunks into columns (`readTraceSource`, which reads
    // the items hbmscope writes without JSON.parse and keeps no object per item): faster than
    // JSON.parse then `parseTrace`, with a fraction of the garbage and no copy of the whole text.
    // Whatever it refuses is read again whole below, so errors (and what JSON.parse alone accepts,
    // such as a top-level field given twice) are as they always were.
    try {
      return readTraceSource(fileSource(file, undefined, onRead), { rows });
    } catch {
      try {
        data = readFileSync(file);
      } catch (e) {
        throw new CliError(`cannot read trace file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
  }
  try {
    if (data === undefined) return importSnapshotFile(file, { onRead });
    let value: unknown;
    // Pure ASCII (the usual trace) decodes as latin1 at about twice the speed of UTF-8, same text.
    let text = data.toString(isAscii(data) ? "latin1" : "utf8");
    data = undefined; // let the file's bytes go before the parse allocates the objects
    try {
      value = JSON.parse(text);
      text = "";
    } catch (e) {
      throw new Error(`not valid JSON (${(e as Error).message}); expected an hbmscope trace or a PyTorch memory snapshot`);
    }
    if (isSnapshot(value)) return importTorchSnapshot(value as Parameters<typeof importTorchSnapshot>[0]);
    return parseTrace(value);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
}

/** How every trace hbmscope writes starts (`serializeTrace`: JSON.stringify, `format` first). */
const HBMSCOPE_START = new TextEncoder().encode('{"format":"hbmscope.trace",');

/** A JSON PyTorch snapshot: a dict with `segments` or `device_traces` and no hbmscope `format`. */
function isSnapshot(v: unknown): boolean {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return o.format === undefined && (Array.isArray(o.segments) || Array.isArray(o.device_traces));
}
