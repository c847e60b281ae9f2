import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { ByteSource } from "@hbmscope/core";

/**
 * A file as a `ByteSource` (`@hbmscope/core`): each pass opens it and reads it in chunks of
 * `chunkBytes` (@defaultValue 4 MiB), each into the same array, so a pass over a file of any size
 * holds one chunk. Read errors are thrown as Node's errors (`ENOENT`, `EISDIR`, ...). `onRead` is
 * told the bytes read so far, the file's size and the pass (from 1) after every chunk.
 */
export function fileSource(path: string, chunkBytes = 4 * 2 ** 20, onRead?: (bytes: number, total: number, pass: number) => void): ByteSource {
  let pass = 0;
  return function* chunks() {
    const fd = openSync(path, "r");
    const chunk = new Uint8Array(chunkBytes);
    const total = onRead ? fstatSync(fd).size : 0;
    let read = 0;
    pass++;
    try {
      while (true) {
        const n = readSync(fd, chunk, 0, chunkBytes, null);
        if (n === 0) return;
        read += n;
        onRead?.(read, total, pass);
        yield n === chunkBytes ? chunk : chunk.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
  };
}

/** The first byte of a file (undefined when it is empty); 0x80 starts a pickle. */
export function firstByteOf(path: string): number | undefined {
  const fd = openSync(path, "r");
  try {
    const b = new Uint8Array(1);
    return readSync(fd, b, 0, 1, 0) === 1 ? b[0] : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Whether a file starts with these bytes. */
export function fileStartsWith(path: string, start: Uint8Array): boolean {
  const fd = openSync(path, "r");
  try {
    const b = new Uint8Array(start.length);
    return readSync(fd, b, 0, b.length, 0) === b.length && b.every((v, i) => v === start[i]);
  } finally {
    closeSync(fd);
  }
}
