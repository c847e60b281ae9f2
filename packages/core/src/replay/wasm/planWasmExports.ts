import type { WasmGlobal } from "./replayWasmExports.js";

/**
 * The planned arena's plan in the replay's WebAssembly module (packages/core/wasm/planArena.ts):
 * the entry points, and as globals the byte offsets in `memory` of the per-rank columns.
 */
export interface PlanWasmExports {
  /** Its linear memory (WebAssembly.Memory; core's lib has no DOM types, so only what is used). */
  memory: { readonly buffer: ArrayBuffer };
  /** Lays out a plan of `m` >= 1 ranks with planArena's shape and resets the tree; the plan's stamp. */
  planSetup(m: number, cacheSkip: number, scanLevels: number): number;
  /** Places up to `count` more buffers of the plan stamped `stamp`; how many are placed in all. Traps if the instance was used by another plan or a replay since `planSetup`. */
  planSteps(count: number, stamp: number): number;
  /** f64 per rank, in: its size rounded to the alignment, bytes. */
  pPlanSize: WasmGlobal;
  /** i32 per rank, in: the rank of the last allocation in its lifetime. */
  pPlanLast: WasmGlobal;
  /** i32 per rank, in: the ranks in the order of placement. */
  pPlanOrder: WasmGlobal;
  /** f64 per rank, out: its offset, bytes. */
  pPlanOffset: WasmGlobal;
  /** The arena (the largest end placed), bytes. */
  planArenaBytes: WasmGlobal;
}
