import type { ByteSource } from "./byteSource.js";
import { readPickle, type ReadPickleOptions } from "./readPickle.js";
import { SnapshotError } from "./snapshotError.js";
import type { TorchSnapshot } from "./torchSnapshot.js";

/**
 * Reads a PyTorch memory snapshot: the pickle `torch.cuda.memory._dump_snapshot()` writes (told
 * apart by its first byte, 0x80), or the same dictionary as JSON (text or UTF-8 bytes). Checks
 * the top-level shape only (`segments` and `device_traces` lists); `importTorchSnapshot` checks
 * the entries it uses. Throws a `SnapshotError` for anything else. `pickleOptions` go to
 * `readPickle` (a pickle only). A `ByteSource` is read in chunks if it is a pickle; JSON is
 * gathered whole.
 */
export function readTorchSnapshot(data: Uint8Array | string | ByteSource, pickleOptions: ReadPickleOptions = {}): TorchSnapshot {
  let value: unknown;
  if (typeof data === "function" ? firstByte(data) === 0x80 : typeof data !== "string" && data.length > 0 && data[0] === 0x80) {
    value = readPickle(data as Uint8Array | ByteSource, pickleOptions);
  } else {
    const text = typeof data === "string" ? data : typeof data === "function" ? decodeAll(data) : new TextDecoder().decode(data);
    const first = /\S/.exec(text)?.[0];
    if (first !== "{") {
      throw new SnapshotError(
        `readTorchSnapshot: not a memory snapshot: neither a pickle (first byte 0x80) nor a JSON object (starts with ${first === undefined ? "nothing" : JSON.stringify(first)})`,
      );
    }
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new SnapshotError(`readTorchSnapshot: not valid JSON (${(e as Error).message})`);
    }
  }
  return asTorchSnapshot(value);
}

/**
 * Checks that an already parsed value has a snapshot's top-level shape (`segments` and
 * `device_traces` lists) and returns it typed; throws a `SnapshotError` otherwise.
 */
export function asTorchSnapshot(value: unknown): TorchSnapshot {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SnapshotError("readTorchSnapshot: the file holds no dictionary; a snapshot is a dict with `segments` and `device_traces`");
  }
  const s = value as Record<string, unknown>;
  if (!Array.isArray(s.segments)) {
    throw new SnapshotError("readTorchSnapshot: no `segments` list; is this a torch.cuda.memory._snapshot() dump?");
  }
  if (s.device_traces === undefined) s.device_traces = [];
  if (!Array.isArray(s.device_traces) || !s.device_traces.every(Array.isArray)) {
    throw new SnapshotError("readTorchSnapshot: `device_traces` must be a list of lists (one per device)");
  }
  return s as TorchSnapshot;
}

/** The first byte of a source (undefined if it is empty). */
function firstByte(source: ByteSource): number | undefined {
  for (const chunk of source()) if (chunk.length > 0) return chunk[0];
  return undefined;
}

function decodeAll(source: ByteSource): string {
  const decoder = new TextDecoder();
  let text = "";
  for (const chunk of source()) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
