// The wasm module's entry: what src/replay/wasm/wasmReplay.ts calls and reads. One module for both
// allocators (they share the block store and the layout; one replay runs at a time per instance).
export { grows } from "./blockStore";
export {
  setup, layout, nb, n, marks, segCap, segCount,
  pBytes, pEventBuffer, pMarks, pDivisions, pEventAlloc, pViews,
  pReserved, pOutputsEnd, pSegAddress, pSegBytes, pSegReservedAt, pSegReleasedAt, pSegPool,
} from "./replayLayout";
export { peakReserved, peakReservedAt, peakAllocated, peakAllocatedAt, peakRequested, peakRequestedAt, fullestAt, largestFreeAtFullest } from "./replaySummary";
export { reservedAtEnd, allocatedAtEnd, lastAttempt } from "./replayTotals";
export { replayCaching, replayBfc } from "./replayLoop";
// The planned arena's plan (planArena.ts): its own layout of the same memory, never during a replay.
export { planSetup, planSteps, planM, planPlaced, planArenaBytes, pPlanSize, pPlanLast, pPlanOrder, pPlanOffset } from "./planArena";
