import { closeSync, openSync, readSync } from "node:fs";
import type { ByteSource } from "@hbmscope/core";

/**
 * A file as a `ByteSource` (`@hbmscope/core`): each pass opens it and reads it in chunks of
 * `chunkBytes` (@defaultValue 4 MiB), each into the same array, so a pass over a file of any size
 * holds one chunk. Read errors are thrown as Node's errors (`ENOENT`, `EISDIR`, ...).
 */
export function fileSource(path: string, chunkBytes = 4 * 2 ** 20): ByteSource {
  return function* chunks() {
    const fd = openSync(path, "r");
    const chunk = new Uint8Array(chunkBytes);
    try {
      while (true) {
        const n = readSync(fd, chunk, 0, chunkBytes, null);
        if (n === 0) return;
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
