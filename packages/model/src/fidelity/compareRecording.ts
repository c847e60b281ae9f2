import { liveAt, timeline, type Category, type Trace } from "@hbmscope/core";
import { simulateStep } from "../simulate/simulateStep.js";
import { setupFromRecording, type RecordedCase } from "./setupFromRecording.js";

/** One recorded run against its simulation: peaks, phases, and the model states at each peak. Bytes. */
export interface RecordingComparison {
  name: string;
  recordedPeak: number;
  simulatedPeak: number;
  /** (simulated - recorded) / recorded. */
  error: number;
  recordedPhase: string;
  simulatedPhase: string;
  /** Live bytes of weights, gradients and optimizer state at each peak. */
  states: Record<"weight" | "gradient" | "optimizer", { recorded: number; simulated: number }>;
  /**
   * At the simulated peak, the gradient of a tied embedding exists but its last contribution (the
   * embedding's backward) has not run: autograd holds it in an input buffer, which PyTorch's memory
   * profiler files as a temporary. Its bytes: `tiedGradientBytes`.
   */
  tiedGradientPending: boolean;
  tiedGradientBytes: number;
}

const STATES = ["weight", "gradient", "optimizer"] as const;

/**
 * Simulates the case a trace of `scripts/torch/record.py` recorded (its `meta.case`, through
 * `setupFromRecording`) with the ideal allocator's view (live bytes) and compares the two peaks.
 * Throws when the trace carries no recorder case.
 */
export function compareRecording(recorded: Trace): RecordingComparison {
  const meta = recorded.meta as { case?: RecordedCase; hfConfigResolved?: Record<string, unknown> };
  const c = meta.case;
  if (c === undefined || typeof c !== "object") throw new Error("compareRecording: the trace has no meta.case (is it a trace written by scripts/torch/record.py?)");
  const { model, setup, mode } = setupFromRecording(c, meta.hfConfigResolved);
  const simulated = simulateStep(model, setup, { mode });
  const tr = timeline(recorded);
  const ts = timeline(simulated);
  const statesAt = (trace: Trace, index: number) => {
    const by: Partial<Record<Category, number>> = {};
    for (const b of liveAt(trace, index, { limit: Number.MAX_SAFE_INTEGER })) by[b.category] = (by[b.category] ?? 0) + b.bytes;
    return by;
  };
  const rs = statesAt(recorded, tr.peak.index);
  const ss = statesAt(simulated, ts.peak.index);
  // The tied embedding's gradient buffer ("weight_grad" at the embedding scope) is live at the peak, before the embedding's backward runs.
  let tiedGradientBytes = 0;
  let tiedGradientPending = false;
  if (model.tiedEmbeddings && setup.method === "full") {
    const live = liveAt(simulated, ts.peak.index, { limit: Number.MAX_SAFE_INTEGER });
    const tied = live.find((b) => b.category === "gradient" && b.op === "weight_grad" && b.scope === "head" && b.shape?.[0] === model.vocab);
    let embeddingBackwardDone = false;
    for (let i = 0; i <= ts.peak.index; i++) {
      const b = simulated.buffers[simulated.events[i].buffer];
      if (b.phase === "backward" && b.scope === "embed") embeddingBackwardDone = true;
    }
    if (tied && !embeddingBackwardDone) {
      tiedGradientPending = true;
      tiedGradientBytes = tied.bytes;
    }
  }
  const states = Object.fromEntries(STATES.map((k) => [k, { recorded: rs[k] ?? 0, simulated: ss[k] ?? 0 }])) as RecordingComparison["states"];
  return {
    name: c.name,
    recordedPeak: tr.peak.bytes,
    simulatedPeak: ts.peak.bytes,
    error: (ts.peak.bytes - tr.peak.bytes) / tr.peak.bytes,
    recordedPhase: tr.peak.phase,
    simulatedPhase: ts.peak.phase,
    states,
    tiedGradientPending,
    tiedGradientBytes,
  };
}
