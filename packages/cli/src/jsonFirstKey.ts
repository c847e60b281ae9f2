import { closeSync, openSync, readSync } from "node:fs";

/**
 * The first key of the JSON object a file holds, read from its first 64 KiB (undefined if the
 * file does not start with an object and a key there): tells a large hbmscope trace (`format`)
 * from a PyTorch snapshot saved as JSON (`segments`, `device_traces`) without reading it all.
 */
export function jsonFirstKey(path: string): string | undefined {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    const m = /^\s*\{\s*("(?:[^"\\]|\\.)*")/.exec(new TextDecoder().decode(head.subarray(0, n)));
    return m ? (JSON.parse(m[1]) as string) : undefined;
  } finally {
    closeSync(fd);
  }
}
