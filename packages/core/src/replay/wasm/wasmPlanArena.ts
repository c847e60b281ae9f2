import type { AllocatorInput } from "../allocator.js";
import { PLAN_PROGRESS_EVERY } from "../allocators/planProgress.js";
import { planRanks } from "../allocators/planRanks.js";
import type { PlanWasmExports } from "./planWasmExports.js";

/**
 * `planArena` (src/replay/allocators/plannedArena.ts) with its loop in the WebAssembly module
 * `wasm` (packages/core/wasm/planArena.ts): the same ranks, sizes and order (`planRanks`, shared),
 * the same offsets and arena. The loop runs in chunks of `PLAN_PROGRESS_EVERY` placements when
 * `onProgress` is given, which is called between them exactly as the JS loop calls it (every
 * `PLAN_PROGRESS_EVERY` placements and once at the end; `(0, 0)` when there is nothing to place).
 * The inputs are written into the module's memory and the offsets copied out, so no view of it
 * outlives the call. Throws if the module traps (memory refused, or the instance used by another
 * plan or a replay from `onProgress`); the caller then plans in JS.
 */
export function wasmPlanArena(
  wasm: PlanWasmExports,
  input: AllocatorInput,
  alignment: number,
  cacheSkip: number,
  scanLevels: number,
  onProgress: ((placed: number, total: number) => void) | undefined,
): { offset: Float64Array; size: Float64Array; arena: number } {
  const { m, byStart, lastRank, size, offset, order } = planRanks(input, alignment);
  if (m === 0) {
    onProgress?.(0, 0);
    return { offset, size, arena: 0 };
  }
  const stamp = wasm.planSetup(m, cacheSkip, scanLevels);
  let memory = wasm.memory.buffer;
  writeRankSizes(new Float64Array(memory, wasm.pPlanSize.value, m), byStart, size, m);
  new Int32Array(memory, wasm.pPlanLast.value, m).set(lastRank.subarray(0, m));
  new Int32Array(memory, wasm.pPlanOrder.value, m).set(order);
  for (;;) {
    const placed = wasm.planSteps(onProgress ? PLAN_PROGRESS_EVERY : m, stamp);
    if (placed >= m) break;
    onProgress!(placed, m);
  }
  memory = wasm.memory.buffer; // it may have grown
  readOffsets(new Float64Array(memory, wasm.pPlanOffset.value, m), byStart, offset, m);
  const arena = wasm.planArenaBytes.value;
  onProgress?.(m, m);
  return { offset, size, arena };
}

/** Each rank's size (the size of its buffer). Its own function, so that it is optimised as a whole. */
function writeRankSizes(to: Float64Array, byStart: Int32Array, size: Float64Array, m: number): void {
  for (let r = 0; r < m; r++) to[r] = size[byStart[r]];
}

/** Each rank's offset into its buffer's place. */
function readOffsets(from: Float64Array, byStart: Int32Array, offset: Float64Array, m: number): void {
  for (let r = 0; r < m; r++) offset[byStart[r]] = from[r];
}
