import { ALLOCATOR_MODELS, replay, type ReplayRun, type Trace } from "@hbmscope/core";

/**
 * The allocators a report offers: core's models, and the caching one with PyTorch's
 * `expandable_segments` on (`caching` alone keeps a snapshot's own setting, as `replay` does).
 */
export const REPORT_ALLOCATORS = ["ideal", "caching", "caching+expandable", "bfc", "planned"] as const;

/**
 * Replays a trace through one of `REPORT_ALLOCATORS` with an optional capacity (the card, bytes)
 * and `reserve` (bytes held outside the allocator: CUDA context, cuBLAS workspace; default 0), in
 * the `backend` view: the numbers `hbmscope replay --json` gives (`caching+expandable` is
 * `--allocator caching --expandable-segments on`). `onProgress` (planned only: its plan can take
 * seconds) gets the buffers placed so far and in all, as `plannedArena`'s.
 */
export function whatIf(trace: Trace, allocator: string, capacity: number | null = null, reserve = 0, onProgress?: (placed: number, total: number) => void): ReplayRun {
  const expandable = allocator === "caching+expandable";
  const make = ALLOCATOR_MODELS[expandable ? "caching" : allocator];
  if (!make) throw new Error(`whatIf: unknown allocator ${JSON.stringify(allocator)}; accepted: ${REPORT_ALLOCATORS.join(", ")}`);
  const flags = expandable ? { expandableSegments: true } : onProgress ? { onProgress } : {};
  return replay(trace, make(trace, flags), { view: "backend", ...(capacity === null ? {} : { capacity, outside: reserve }) });
}
