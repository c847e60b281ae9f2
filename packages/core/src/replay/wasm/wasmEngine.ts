import type { Allocator } from "../allocator.js";
import type { ReplayPlacement } from "../replayPlacement.js";
import { replayWasmInstance } from "./replayWasmInstance.js";
import { wasmPlanOf } from "./wasmPlan.js";
import { wasmReplay, type WasmReplayInput } from "./wasmReplay.js";

/**
 * The replay loop in WebAssembly when it can run it: an allocator with a plan (`cachingAllocator`
 * without expandable segments, `bfcAllocator`; see `WasmPlan`) and a module that compiles here.
 * Null otherwise, or when the module traps (memory refused), and `replay` runs the JS engine; with
 * `required` (tests, benchmarks) each of those throws instead.
 */
export function wasmEngine(allocator: Allocator, input: WasmReplayInput, emptyCacheAt: Int32Array, required: boolean): ReplayPlacement | null {
  const plan = wasmPlanOf(allocator);
  // BFC without allow_growth and without a capacity is an error the JS state reports.
  if (!plan || (plan.kind === "bfc" && !plan.allowGrowth && input.capacity === Infinity)) {
    if (required) throw new Error(`replay: the wasm engine does not run the ${allocator.name} allocator with these options`);
    return null;
  }
  const wasm = replayWasmInstance();
  if (!wasm) {
    if (required) throw new Error("replay: WebAssembly cannot be compiled here");
    return null;
  }
  try {
    return wasmReplay(wasm, plan, input, emptyCacheAt);
  } catch (error) {
    if (required) throw error;
    return null;
  }
}
