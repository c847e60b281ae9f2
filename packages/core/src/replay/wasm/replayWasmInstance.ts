import { REPLAY_WASM_BASE64 } from "./replayWasmBytes.js";
import type { ReplayWasmExports } from "./replayWasmExports.js";

/** The part of the WebAssembly JS API used here (core compiles without the DOM's types). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

let instance: ReplayWasmExports | null | undefined;

/**
 * The allocator replay's WebAssembly instance, compiled and instantiated on first use (synchronously,
 * from the base64 bytes in replayWasmBytes.ts) and reused by every replay of this process or worker:
 * each replay resets it, and its memory, once grown, is kept for the next. Null where WebAssembly
 * cannot be compiled (no WebAssembly, a Content-Security-Policy without `'wasm-unsafe-eval'`, a
 * browser that refuses synchronous compilation on its main thread); replays then run in JS. The
 * answer is kept, so a refusal costs one try.
 */
export function replayWasmInstance(): ReplayWasmExports | null {
  if (instance !== undefined) return instance;
  try {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (!api) throw new Error("no WebAssembly");
    const bytes = Uint8Array.from(atob(REPLAY_WASM_BASE64), (c) => c.charCodeAt(0));
    instance = new api.Instance(new api.Module(bytes), {}).exports as ReplayWasmExports;
  } catch {
    instance = null;
  }
  return instance;
}
