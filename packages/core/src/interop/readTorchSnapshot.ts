import type { ByteSource } from "./byteSource.js";
import { JsonText } from "../json/jsonText.js";
import { readPickle, type PickleValue, type ReadPickleOptions } from "./readPickle.js";
import { SnapshotError } from "./snapshotError.js";
import type { TorchSnapshot } from "./torchSnapshot.js";

/**
 * Reads a PyTorch memory snapshot: the pickle `torch.cuda.memory._dump_snapshot()` writes (told
 * apart by its first byte, 0x80), or the same dictionary as JSON (text or UTF-8 bytes). Checks
 * the top-level shape only (`segments` and `device_traces` lists); `importTorchSnapshot` checks
 * the entries it uses. Throws a `SnapshotError` for anything else. `pickleOptions` go to
 * `readPickle`; from a `ByteSource`, JSON is read in chunks too (never held whole), and its dicts
 * go through `pickleOptions.dict` as a pickle's would.
 */
export function readTorchSnapshot(data: Uint8Array | string | ByteSource, pickleOptions: ReadPickleOptions = {}): TorchSnapshot {
  let value: unknown;
  if (isPickle(data)) {
    value = readPickle(data as Uint8Array | ByteSource, pickleOptions);
  } else if (typeof data === "function") {
    value = readJsonSnapshot(data, pickleOptions.dict);
  } else {
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
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

/** Whether snapshot data is a pickle (its first byte is 0x80), not JSON. */
export function isPickle(data: Uint8Array | string | ByteSource): boolean {
  return typeof data === "function" ? firstByte(data) === 0x80 : typeof data !== "string" && data.length > 0 && data[0] === 0x80;
}

/** The first byte of a source (undefined if it is empty). */
function firstByte(source: ByteSource): number | undefined {
  for (const chunk of source()) if (chunk.length > 0) return chunk[0];
  return undefined;
}

/**
 * A JSON snapshot from a `ByteSource`, never held whole: the trace entries of `device_traces` are
 * parsed a few thousand at a time, and each dict goes through `dict` (innermost first, as the
 * pickle reader does) as it comes, so an importer can keep entries as columns.
 */
function readJsonSnapshot(source: ByteSource, dict: ReadPickleOptions["dict"]): unknown {
  const text = new JsonText(source, (message) => new SnapshotError(`readTorchSnapshot: ${message}`));
  text.skipSpace();
  const first = text.peek();
  if (first !== 0x7b) {
    const shown = first < 0 ? "nothing" : JSON.stringify(String.fromCharCode(first));
    throw new SnapshotError(`readTorchSnapshot: not a memory snapshot: neither a pickle (first byte 0x80) nor a JSON object (starts with ${shown})`);
  }
  const hook = dict === undefined ? (v: unknown) => v : (v: unknown) => applyDictHook(v, dict);
  const out: Record<string, unknown> = {};
  text.objectOf((key) => {
    let value: unknown;
    if (key === "device_traces" && text.peek() === 0x5b) {
      const lists: unknown[] = [];
      text.arrayOf(() => {
        if (text.peek() !== 0x5b) lists.push(text.value());
        else {
          const list: unknown[] = [];
          text.items((entry) => list.push(hook(entry)));
          lists.push(list);
        }
      });
      value = lists;
    } else value = hook(text.value());
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  });
  text.end();
  return out;
}

/**
 * `dict` applied to every plain object in `v`, innermost first, each result taking the object's
 * place (as `readPickle` applies it). Iterative: any nesting depth.
 */
function applyDictHook(v: unknown, dict: NonNullable<ReadPickleOptions["dict"]>): unknown {
  if (v === null || typeof v !== "object") return v;
  return hookTree(v as Record<string | number, unknown>, dict, 0);
}

/**
 * `applyDictHook` by recursion, the common case (a trace entry nests 3 deep): same order (children
 * last key first, each subtree done before the next, then the object itself), no stack of frames
 * built. Past 64 levels it hands the rest to the iterative walk.
 */
function hookTree(x: Record<string | number, unknown>, dict: NonNullable<ReadPickleOptions["dict"]>, depth: number): unknown {
  if (Array.isArray(x)) {
    for (let i = x.length - 1; i >= 0; i--) {
      const e = x[i];
      if (e !== null && typeof e === "object") x[i] = depth < 64 ? hookTree(e, dict, depth + 1) : applyDictHookIteratively(e, dict);
    }
    return x;
  }
  const keys = Object.keys(x);
  for (let j = keys.length - 1; j >= 0; j--) {
    const e = x[keys[j]];
    if (e !== null && typeof e === "object") x[keys[j]] = depth < 64 ? hookTree(e as Record<string | number, unknown>, dict, depth + 1) : applyDictHookIteratively(e, dict);
  }
  return dict(x as { [key: string]: PickleValue });
}

/** `applyDictHook` without recursion: for values nested deeper than the call stack allows. */
function applyDictHookIteratively(v: unknown, dict: NonNullable<ReadPickleOptions["dict"]>): unknown {
  if (v === null || typeof v !== "object") return v;
  const root = { value: v };
  // Post-order over containers: a frame is visited again once its children are done.
  const stack: { parent: Record<string | number, unknown>; key: string | number; done: boolean }[] = [{ parent: root as never, key: "value", done: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const x = top.parent[top.key];
    if (x === null || typeof x !== "object") {
      stack.pop();
      continue;
    }
    if (!top.done) {
      top.done = true;
      const o = x as Record<string | number, unknown>;
      for (const k of Object.keys(o)) if (o[k] !== null && typeof o[k] === "object") stack.push({ parent: o, key: Array.isArray(o) ? Number(k) : k, done: false });
      continue;
    }
    stack.pop();
    if (!Array.isArray(x)) top.parent[top.key] = dict(x as { [key: string]: PickleValue });
  }
  return root.value;
}
