import { timeline, type Category } from "@hbmscope/core";
import type { PeakPhase, PhaseBytes } from "./estimate.js";
import type { ModelSpec, TrainingSetup } from "./modelSpec.js";
import { simulateStep } from "./simulate/simulateStep.js";

const PHASES: PeakPhase[] = ["forward", "backward", "optimizer"];
const AT: Record<PeakPhase, string> = { forward: "forward high point (hf)", backward: "backward high point (hf)", optimizer: "optimizer step (hf)" };

/**
 * The high point of each phase of the `hf` program, from its op graph (`hfGraph`, the rules the
 * simulator runs): the step is simulated with `k` and `k + 1` layers and every part of each phase's
 * high point is extrapolated linearly to the model's depth (`k` = 2, so that the first layer, whose
 * input needs no gradient under LoRA, is outside the difference). Each decoder layer adds the same
 * ops, so a phase's high point, which falls at the same op at every depth, is linear in the layers:
 * exact, where the simulation of the whole model would take 15 ms a layer. Models of 3 layers or
 * fewer are simulated whole. Bytes.
 */
export function hfPhases(model: ModelSpec, setup: TrainingSetup): PhaseBytes[] {
  const k = 2;
  if (model.layers <= k + 1) return phasesOf(model, setup).map((p) => p.bytes);
  const a = phasesOf({ ...model, layers: k }, setup);
  const b = phasesOf({ ...model, layers: k + 1 }, setup);
  // The high points must fall at the same op (the loss, a layer's backward, the optimizer) at both depths; else simulate whole.
  if (a.length !== b.length || a.some((p, i) => p.where !== b[i].where)) return phasesOf(model, setup).map((p) => p.bytes);
  const n = model.layers - k;
  return a.map(({ bytes: p }, i) => {
    const q = b[i].bytes;
    const x = (f: (v: PhaseBytes) => number) => f(p) + n * (f(q) - f(p));
    const parts = {
      weights: x((v) => v.weights),
      gradients: x((v) => v.gradients),
      optimizer: x((v) => v.optimizer),
      activations: x((v) => v.activations),
      temporary: x((v) => v.temporary),
    };
    return { phase: p.phase, at: p.at, ...parts, bytes: parts.weights + parts.gradients + parts.optimizer + parts.activations + parts.temporary };
  });
}

function phasesOf(model: ModelSpec, setup: TrainingSetup): { bytes: PhaseBytes; where: string }[] {
  const trace = simulateStep(model, setup, { semantics: "eager" });
  const tl = timeline(trace, { byCategory: true });
  const out: { bytes: PhaseBytes; where: string }[] = [];
  for (const phase of PHASES) {
    const p = tl.phasePeaks.find((q) => q.phase === phase);
    if (!p) continue;
    const at = (c: Category) => tl.byCategory[c]?.[p.index] ?? 0;
    const parts = {
      weights: at("weight"),
      gradients: at("gradient"),
      optimizer: at("optimizer"),
      activations: at("activation") + at("input"),
      temporary: at("temporary") + at("other"),
    };
    const buffer = trace.buffers[trace.events[p.index].buffer];
    const where = `${trace.events[p.index].kind} ${buffer.op} ${(buffer.scope ?? "").replace(/^layer\d+/, "layer")}`;
    out.push({ bytes: { phase, at: AT[phase], ...parts, bytes: parts.weights + parts.gradients + parts.optimizer + parts.activations + parts.temporary }, where });
  }
  return out;
}
