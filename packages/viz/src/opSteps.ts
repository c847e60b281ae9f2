import { eventCount, eventTimes, traceColumns, type Trace } from "@hbmscope/core";

/**
 * The op-call axis of a trace: for each event, the index of the op call it belongs to, so a chart
 * can give every op call the same width however many events it makes. A new call starts at an
 * allocation whose buffer's op differs from the previous allocation's, or whose scope differs;
 * within one visit of a scope an op seen before does not start a new call (the kernels of a
 * loop, such as flash attention's thousands of tiles, share the call of their first pass). Frees
 * belong to the call in progress. Non-decreasing, from 0.
 */
export function opSteps(trace: Trace): Float64Array {
  const n = eventCount(trace);
  const out = new Float64Array(n);
  const { eventBuffer, eventAlloc } = traceColumns(trace);
  const buffers = trace.buffers;
  let step = -1;
  let scope: string | undefined;
  let last: string | undefined;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    if (eventAlloc[i]) {
      const b = buffers[eventBuffer[i]];
      const op = b?.op ?? "";
      const s = b?.scope ?? "";
      if (s !== scope || step < 0) {
        scope = s;
        seen.clear();
        seen.add(op);
        last = op;
        step++;
      } else if (op !== last) {
        last = op;
        if (!seen.has(op)) {
          seen.add(op);
          step++;
        }
      }
    }
    out[i] = Math.max(step, 0);
  }
  return out;
}

/**
 * The horizontal axis a timeline of `trace` gets by default: `time` for imported PyTorch
 * snapshots with a time on every event (their times are the program's), `op` for TensorFlow.js
 * traces (one event per kernel allocation: tiled attention would squeeze everything else), else
 * `event`.
 */
export function defaultXAxis(trace: Trace | undefined): "event" | "op" | "time" {
  if (!trace) return "event";
  const source = (trace.meta as { source?: unknown } | undefined)?.source;
  if (source === "tfjs") return "op";
  if (source === "imported" && eventCount(trace) > 0 && eventTimes(trace) !== undefined) return "time";
  return "event";
}
