import { readFileSync } from "node:fs";
import { importTorchSnapshot, type ImportTorchSnapshotOptions, type Trace } from "@hbmscope/core";
import { fileSource, firstByteOf } from "./fileSource.js";

/**
 * Imports a PyTorch memory snapshot file: a pickle (first byte 0x80) is read in chunks and never
 * held whole; anything else is read whole and handed to `importTorchSnapshot` (JSON, or an error
 * saying what the file is not). Node's read errors and `SnapshotError`s are thrown as they are.
 */
export function importSnapshotFile(file: string, options: ImportTorchSnapshotOptions = {}): Trace {
  return importTorchSnapshot(firstByteOf(file) === 0x80 ? fileSource(file) : readFileSync(file), options);
}
