import type { Category, Trace, TraceBuffer, TraceEvent } from "@hbmscope/core";

const categories: Category[] = ["weight", "activation", "temporary", "gradient", "optimizer", "input"];

/**
 * A deterministic training-step-like trace with `events` events: a stack of activations that
 * grows then shrinks, temporaries freed soon after they are made, and a few long-lived buffers.
 */
export function syntheticTrace(events: number, seed = 1): Trace {
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const buffers: TraceBuffer[] = [];
  const out: TraceEvent[] = [];
  const live: number[] = [];
  const marks = [{ at: 0, label: "forward", kind: "phase" }];
  let t = 0;
  while (out.length < events) {
    const half = out.length < events / 2;
    if (half && marks.length === 1 && out.length > events * 0.45) marks.push({ at: out.length, label: "backward", kind: "phase" });
    if (live.length === 0 || (half ? rand() < 0.55 : rand() < 0.45)) {
      const id = buffers.length;
      const small = rand() < 0.7;
      const bytes = small ? 256 + Math.floor(rand() * 65536) : 1 << (20 + Math.floor(rand() * 6));
      buffers.push({ id, bytes, category: categories[Math.floor(rand() * categories.length)], op: "Op" + (id % 13) });
      out.push({ kind: "alloc", buffer: id, time: t++ });
      live.push(id);
    } else {
      const k = rand() < 0.6 ? live.length - 1 : Math.floor(rand() * live.length);
      const id = live[k];
      live[k] = live[live.length - 1];
      live.pop();
      out.push({ kind: "free", buffer: id, time: t++ });
    }
  }
  return { format: "hbmscope.trace", version: 1, meta: { source: "synthetic" }, buffers, events: out, marks };
}
