import type { AllocatorInput } from "../allocator.js";

/** A plan: each buffer's offset (NaN for buffers not planned) and rounded size, and the arena, bytes. */
export interface ArenaPlan {
  offset: Float64Array;
  size: Float64Array;
  arena: number;
}

interface Kept {
  bytes: Float64Array;
  eventAlloc: Uint8Array;
  inView: Uint8Array;
  alignment: number;
  plan: ArenaPlan;
  /** Buffers planned (what `onProgress` was last called with). */
  placed: number;
}

/** Plans kept per view and alignment of one trace: at most this many (three views, a few alignments). */
const KEPT_PER_TRACE = 4;

/**
 * Plans made, by the trace's event column (one array per trace: `traceColumns` builds the columns
 * once per trace and keeps them), weakly: a plan goes when its trace's columns go.
 */
const kept = new WeakMap<Int32Array, Kept[]>();

/**
 * The plan `make` gives for `input` and `alignment`, made once per trace, view and alignment: a plan
 * depends on neither the capacity nor emptyCache marks (the arena is reserved whole at the first
 * allocation), so replays of one trace at other capacities (the report's what-ifs, `fit`-style
 * searches) reuse it. A plan is reused only for the very same columns (the same `bytes`,
 * `eventBuffer` and `eventAlloc` arrays) and the same view mask, element by element. On reuse,
 * `onProgress` is called once, with everything placed (as at the end of planning). The plans held
 * are a few per trace, freed with the trace's columns.
 */
export function cachedPlan(
  input: AllocatorInput,
  alignment: number,
  onProgress: ((placed: number, total: number) => void) | undefined,
  make: (input: AllocatorInput, alignment: number, onProgress: ((placed: number, total: number) => void) | undefined) => ArenaPlan,
): ArenaPlan {
  const list = kept.get(input.eventBuffer) ?? [];
  const hit = list.find((k) => k.bytes === input.bytes && k.eventAlloc === input.eventAlloc && k.alignment === alignment && sameMask(k.inView, input.inView));
  if (hit) {
    onProgress?.(hit.placed, hit.placed);
    return hit.plan;
  }
  let placed = 0;
  const plan = make(input, alignment, (done, total) => {
    placed = total;
    onProgress?.(done, total);
  });
  list.unshift({ bytes: input.bytes, eventAlloc: input.eventAlloc, inView: input.inView.slice(), alignment, plan, placed });
  if (list.length > KEPT_PER_TRACE) list.length = KEPT_PER_TRACE;
  kept.set(input.eventBuffer, list);
  return plan;
}

function sameMask(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
