import { CATEGORIES, type Category, type Trace, type TraceBuffer, type View } from "../trace/trace.js";
import { bufferAt } from "../trace/lazyTrace.js";
import { traceColumns, VIEW_BIT } from "../trace/traceColumns.js";
import { phaseRuns } from "./phases.js";

/** The highest point of a timeline. */
export interface Peak {
  /** Live bytes at the peak. */
  bytes: number;
  /** Index of the event after which the peak is reached (-1 for an empty trace). */
  index: number;
  /** Phase of that event ("" when the trace names none). */
  phase: string;
  /** Op of the buffer allocated at the peak ("" when unknown). */
  op: string;
  /** Scope of the buffer allocated at the peak ("" when unknown). */
  scope: string;
}

export interface TimelineOptions {
  /** Which view to count. @defaultValue `"physical"` */
  view?: View;
  /**
   * Also compute live bytes per category after every event (`byCategory`): 8 bytes per event
   * per category present. @defaultValue `false`
   */
  byCategory?: boolean;
}

/** Live bytes over a trace, after every event. Plain data: typed arrays and objects. */
export interface Timeline {
  view: View;
  /** Number of events. */
  length: number;
  /** Live bytes of the view after each event. */
  total: Float64Array;
  /**
   * Live bytes per category after each event (categories present in the view); empty unless
   * asked for with `{ byCategory: true }`.
   */
  byCategory: Partial<Record<Category, Float64Array>>;
  peak: Peak;
  /** Live bytes per category at the peak (every category, zeros included). */
  byCategoryAtPeak: Record<Category, number>;
  /** Peak per phase, in order of first appearance. */
  phasePeaks: { phase: string; bytes: number; index: number }[];
  /** Live bytes before the first event (always 0: everything is allocated by an event). */
  start: number;
  /** Live bytes after the last event. */
  end: number;
}

/**
 * Live bytes by category after every event, the peak, and peaks per phase.
 * Runs on the columnar form: millions of events per call are fine.
 */
export function timeline(trace: Trace, options: TimelineOptions = {}): Timeline {
  const view = options.view ?? "physical";
  if (!(view in VIEW_BIT)) {
    throw new Error(`timeline: unknown view ${JSON.stringify(view)}; accepted: logical, physical, backend`);
  }
  const bit = VIEW_BIT[view];
  const { bytes, category, views, eventBuffer, eventAlloc } = traceColumns(trace);
  const n = eventBuffer.length;
  const nc = CATEGORIES.length;
  const total = new Float64Array(n);
  const runs = phaseRuns(trace);
  const np = runs.names.length;
  const phaseMax = new Float64Array(np).fill(-1);
  const phaseAt = new Int32Array(np).fill(-1);
  const phaseFirst = new Int32Array(np).fill(-1);
  let sum = 0;
  let peakBytes = 0;
  let peakIndex = -1;
  let peakRun = -1;
  for (let r = 0; r < runs.starts.length; r++) {
    const from = runs.starts[r];
    const to = r + 1 < runs.starts.length ? runs.starts[r + 1] : n;
    // The run's first event opens its phase's candidate peak; then only strict increases count.
    let runMax = -1;
    let runAt = -1;
    for (let i = from; i < to; i++) {
      const b = eventBuffer[i];
      if (views[b] & bit) {
        sum += eventAlloc[i] ? bytes[b] : -bytes[b];
        if (sum > peakBytes) {
          peakBytes = sum;
          peakIndex = i;
          peakRun = r;
        }
      }
      total[i] = sum;
      if (sum > runMax) {
        runMax = sum;
        runAt = i;
      }
    }
    const p = runs.phase[r];
    if (phaseFirst[p] < 0) phaseFirst[p] = from;
    if (runMax > phaseMax[p]) {
      phaseMax[p] = runMax;
      phaseAt[p] = runAt;
    }
  }
  // The breakdown at the peak: one more pass up to the peak (cheaper than copying at every new high).
  const atPeak = new Float64Array(nc);
  for (let i = 0; i <= peakIndex; i++) {
    const b = eventBuffer[i];
    if (views[b] & bit) atPeak[category[b]] += eventAlloc[i] ? bytes[b] : -bytes[b];
  }
  const byCategoryAtPeak = {} as Record<Category, number>;
  for (let c = 0; c < nc; c++) byCategoryAtPeak[CATEGORIES[c]] = atPeak[c];
  const byCategory = options.byCategory ? categorySeries(eventBuffer, eventAlloc, views, bit, category, bytes) : {};

  const order = Array.from({ length: np }, (_, p) => p).filter((p) => phaseAt[p] >= 0);
  order.sort((a, b) => phaseFirst[a] - phaseFirst[b]);
  const phasePeaks: Timeline["phasePeaks"] = order.map((p) => ({ phase: runs.names[p], bytes: phaseMax[p], index: phaseAt[p] }));
  const peakBuffer: TraceBuffer | undefined = peakIndex >= 0 ? bufferAt(trace, eventBuffer[peakIndex]) : undefined;
  return {
    view,
    length: n,
    total,
    byCategory,
    peak: {
      bytes: peakBytes,
      index: peakIndex,
      phase: peakRun >= 0 ? runs.names[runs.phase[peakRun]] : "",
      op: peakBuffer?.op ?? "",
      scope: peakBuffer?.scope ?? "",
    },
    byCategoryAtPeak,
    phasePeaks,
    start: 0,
    end: n > 0 ? total[n - 1] : 0,
  };
}

/** Live bytes per category after every event, one pass per category present. */
function categorySeries(
  eventBuffer: Int32Array,
  eventAlloc: Uint8Array,
  views: Uint8Array,
  bit: number,
  category: Uint8Array,
  bytes: Float64Array,
): Partial<Record<Category, Float64Array>> {
  const n = eventBuffer.length;
  const present = new Uint8Array(CATEGORIES.length);
  for (let b = 0; b < bytes.length; b++) if (views[b] & bit) present[category[b]] = 1;
  const out: Partial<Record<Category, Float64Array>> = {};
  for (let c = 0; c < CATEGORIES.length; c++) {
    if (!present[c]) continue;
    const s = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const b = eventBuffer[i];
      if (category[b] === c && views[b] & bit) acc += eventAlloc[i] ? bytes[b] : -bytes[b];
      s[i] = acc;
    }
    out[CATEGORIES[c]] = s;
  }
  return out;
}

