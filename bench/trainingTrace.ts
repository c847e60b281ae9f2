import type { Trace, TraceBuffer, TraceEvent, TraceMark } from "@hbmscope/core";
import { defaultSetup, preset, simulateStep } from "@hbmscope/model";

/**
 * A realistic trace of about `events` events: the training loop of `model` (default Llama-2-7B,
 * `defaultSetup`, eager semantics), one setup then training steps until the count is reached.
 * Setup buffers (weights, optimizer states) are allocated once; each step repeats the simulated
 * step's events with fresh buffer ids, and frees at its end what the step left live (its inputs),
 * as the next iteration's tensors replace them; a setup buffer that the step frees (the previous
 * step's output) is freed by the first step only. A few thousand buffers are live at once and
 * activations come and go like a stack, as in a real step.
 */
export function trainingTrace(events: number, model = "llama-2-7b"): Trace {
  const step = simulateStep(preset(model), defaultSetup, { semantics: "eager" });
  const forward = step.marks.find((m) => m.label === "forward" && m.kind === "phase");
  if (!forward) throw new Error("trainingTrace: the simulated step has no forward mark");
  const setupEnd = forward.at;
  const byId = new Map(step.buffers.map((b) => [b.id, b]));
  const buffers: TraceBuffer[] = [];
  const out: TraceEvent[] = [];
  const marks: TraceMark[] = [];
  const setupIds = new Map<number, number>();
  for (let i = 0; i < setupEnd; i++) {
    const e = step.events[i];
    if (e.kind !== "alloc") throw new Error("trainingTrace: the setup phase frees a buffer");
    const id = buffers.length;
    setupIds.set(e.buffer, id);
    buffers.push({ ...byId.get(e.buffer)!, id });
    out.push({ kind: "alloc", buffer: id });
  }
  marks.push({ at: 0, label: "setup", kind: "phase" });
  const stepMarks = step.marks.filter((m) => m.kind === "phase" && m.at >= setupEnd);
  let iteration = 0;
  while (out.length < events) {
    const ids = new Map<number, number>();
    const base = out.length;
    for (const m of stepMarks) marks.push({ at: base + m.at - setupEnd, label: m.label, kind: "phase", step: iteration });
    for (let i = setupEnd; i < step.events.length && out.length < events; i++) {
      const e = step.events[i];
      if (e.kind === "alloc") {
        const id = buffers.length;
        ids.set(e.buffer, id);
        buffers.push({ ...byId.get(e.buffer)!, id });
        out.push({ kind: "alloc", buffer: id });
      } else {
        const id = ids.get(e.buffer) ?? setupIds.get(e.buffer);
        if (id === undefined) throw new Error(`trainingTrace: step frees buffer ${e.buffer}, never allocated`);
        if (!ids.has(e.buffer)) {
          // A setup buffer standing for the previous step's output (e.g. its logits): the first
          // step frees it; later steps' previous outputs were freed at the end of their step.
          if (iteration > 0) continue;
        }
        ids.delete(e.buffer);
        out.push({ kind: "free", buffer: id });
      }
    }
    for (const id of ids.values()) if (out.length < events) out.push({ kind: "free", buffer: id });
    iteration++;
  }
  // The last step may be cut short: its marks past the end go.
  return { format: "hbmscope.trace", version: 1, meta: { source: "bench/trainingTrace", model, steps: iteration }, buffers, events: out, marks: marks.filter((m) => m.at <= out.length) };
}
