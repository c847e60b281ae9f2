import { readFileSync, statSync } from "node:fs";
import { importTorchSnapshot, type ImportTorchSnapshotOptions, type Trace } from "@hbmscope/core";
import { fileSource, firstByteOf } from "./fileSource.js";

/**
 * Imports a PyTorch memory snapshot file, never holding it whole when it is large: a pickle
 * (first byte 0x80) and JSON over `streamAbove` bytes (@defaultValue 128 MiB) are read in chunks;
 * smaller JSON is read whole (faster). Node's read errors and `SnapshotError`s are thrown as they are.
 * `onRead`: progress of the chunked reads (see `fileSource`).
 */
export function importSnapshotFile(
  file: string,
  options: ImportTorchSnapshotOptions & { streamAbove?: number; onRead?: (bytes: number, total: number, pass: number) => void } = {},
): Trace {
  const { streamAbove = 128 * 2 ** 20, onRead, ...importOptions } = options;
  const chunked = firstByteOf(file) === 0x80 || statSync(file).size > streamAbove;
  return importTorchSnapshot(chunked ? fileSource(file, undefined, onRead) : readFileSync(file), importOptions);
}
