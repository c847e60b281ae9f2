import type { Allocator } from "../allocator.js";

/**
 * What the WebAssembly replay needs to run an allocator model in place of its JS state: the model
 * and its options, all filled in and checked (sizes in bytes). Only `cachingAllocator` and
 * `bfcAllocator` carry one; every other allocator replays in JS.
 */
export type WasmPlan =
  | {
      kind: "caching";
      /** `maxSplitSize`, bytes (`Infinity`: off). */
      maxSplitSize: number;
      /** `maxNonSplitRoundingSize`, bytes. */
      maxNonSplitRoundingSize: number;
      /** `roundupPower2Divisions` per power-of-two interval from 1 MiB (16), or null when off. */
      divisions: readonly number[] | null;
      /** `expandableSegments`. */
      expandableSegments: boolean;
    }
  | {
      kind: "bfc";
      allowGrowth: boolean;
      garbageCollection: boolean;
      fragmentationFraction: number;
    };

/**
 * The key of an allocator's plan: a symbol, on a non-enumerable property, so that the plan is not
 * an option a run records (`ReplayRun.allocator`), and an allocator copied or made by hand (which
 * may change the rules) carries none and replays in JS.
 */
const WASM_PLAN = Symbol("hbmscope.wasmPlan");

/** Gives `allocator` its plan (called by the allocator's constructor function); returns it. */
export function withWasmPlan<T extends Allocator>(allocator: T, plan: WasmPlan): T {
  Object.defineProperty(allocator, WASM_PLAN, { value: plan, enumerable: false });
  return allocator;
}

/** The plan `withWasmPlan` gave `allocator`, or null. */
export function wasmPlanOf(allocator: Allocator): WasmPlan | null {
  return ((allocator as unknown as Record<symbol, WasmPlan | undefined>)[WASM_PLAN]) ?? null;
}
