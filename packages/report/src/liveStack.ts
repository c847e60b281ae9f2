import { traceColumns, type Trace, type View } from "@hbmscope/core";

/** VIEW_BIT of core's columns (1 logical, 2 physical, 4 backend). */
const VIEW_BIT: Record<View, number> = { logical: 1, physical: 2, backend: 4 };

/** The buffers live after one event, in the order the report's timeline stacks them. */
export interface LiveStack {
  /** Event index. */
  index: number;
  /** Dense buffer indexes, bottom first: by category (in `CATEGORIES` order), then by allocation. */
  buffers: Int32Array;
  /** Event index of each one's allocation. */
  allocAt: Int32Array;
  /** Live bytes below each one (`below[k] + bytes` is its top). */
  below: Float64Array;
  /** Live bytes in all. */
  total: number;
}

/**
 * The live set right after event `index` in a view (default `"physical"`, as `timeline`), stacked as
 * the report's timeline draws it: categories bottom up in `CATEGORIES` order, inside a category the
 * oldest allocation lowest. `bufferAtHeight` then names the buffer under a point. O(index + live).
 */
export function liveStack(trace: Trace, index: number, view: View = "physical"): LiveStack {
  const { eventBuffer, eventAlloc, views, bytes, category } = traceColumns(trace);
  if (!Number.isInteger(index) || index < -1 || index >= eventBuffer.length) {
    throw new Error(`liveStack: index must be an event index in -1..${eventBuffer.length - 1}, got ${index}`);
  }
  const bit = VIEW_BIT[view];
  const allocAt = new Int32Array(bytes.length).fill(-1);
  for (let i = 0; i <= index; i++) allocAt[eventBuffer[i]] = eventAlloc[i] ? i : -1;
  const live: number[] = [];
  for (let b = 0; b < allocAt.length; b++) if (allocAt[b] >= 0 && views[b] & bit) live.push(b);
  live.sort((a, b) => category[a] - category[b] || allocAt[a] - allocAt[b]);
  const below = new Float64Array(live.length);
  let sum = 0;
  live.forEach((b, k) => {
    below[k] = sum;
    sum += bytes[b];
  });
  return { index, buffers: Int32Array.from(live), allocAt: Int32Array.from(live, (b) => allocAt[b]), below, total: sum };
}

/** Position in `stack.buffers` of the buffer at `height` bytes (its [below, below + bytes) range), or -1. */
export function bufferAtHeight(trace: Trace, stack: LiveStack, height: number): number {
  const { bytes } = traceColumns(trace);
  let lo = 0;
  let hi = stack.buffers.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (height < stack.below[mid]) hi = mid - 1;
    else if (height >= stack.below[mid] + bytes[stack.buffers[mid]]) lo = mid + 1;
    else return mid;
  }
  return -1;
}
