import { timeline, type Category, type Timeline, type Trace } from "@hbmscope/core";
import type { PeakPhase, PhaseBytes } from "./estimate.js";
import type { ModelSpec, TrainingSetup } from "./modelSpec.js";
import { simulateStep } from "./simulate/simulateStep.js";

const PHASES: PeakPhase[] = ["forward", "backward", "optimizer"];
const AT: Record<PeakPhase, string> = { forward: "forward high point (hf)", backward: "backward high point (hf)", optimizer: "optimizer step (hf)" };
const PARTS: Record<keyof Omit<PhaseBytes, "phase" | "at" | "bytes">, Category[]> = {
  weights: ["weight"],
  gradients: ["gradient"],
  optimizer: ["optimizer"],
  activations: ["activation", "input"],
  temporary: ["temporary", "other"],
};
type Part = keyof typeof PARTS;
type Sample = { trace: Trace; tl: Timeline };

/**
 * The high point of each phase of the `hf` program, from its op graph (`hfGraph`, the rules the
 * simulator runs), without simulating every layer (15 ms a layer at 7B sizes). The step is simulated
 * with 4 and 5 layers. In forward and backward every event is aligned by its place: before the first
 * layer mark, in the first, second, second-to-last or last layer run (the last with what follows it).
 * Each decoder layer adds the same ops, so the live bytes at an aligned event are affine in the depth,
 * and across the layers between the first and the last run affine in the layer's index too, whose
 * maximum is then at the second or the second-to-last run: extrapolating every aligned event and
 * taking the largest gives the phase's high point exactly. The optimizer step walks the weights one by
 * one, its high point affine in the depth. Where the two traces do not align, and for models of 5
 * layers or fewer, the model is simulated whole.
 * Bytes, split by category as `PhaseBytes`.
 */
export function hfPhases(model: ModelSpec, setup: TrainingSetup): PhaseBytes[] {
  const k = 4;
  const whole = () => {
    const s = sample(model, setup);
    return PHASES.flatMap((phase) => {
      const range = phaseRange(s.trace, phase);
      if (!range) return [];
      return [pointAt(phase, (part) => partAt(s, range.peak, part))];
    });
  };
  if (model.layers <= k + 1) return whole();
  const a = sample({ ...model, layers: k }, setup);
  const b = sample({ ...model, layers: k + 1 }, setup);
  const n = model.layers - k;
  const out: PhaseBytes[] = [];
  for (const phase of PHASES) {
    const ra = phaseRange(a.trace, phase);
    const rb = phaseRange(b.trace, phase);
    if (!ra || !rb) continue;
    if (phase === "optimizer") {
      out.push(pointAt(phase, (part) => partAt(a, ra.peak, part) + n * (partAt(b, rb.peak, part) - partAt(a, ra.peak, part))));
      continue;
    }
    const pairs = alignedEvents(ra, rb, k);
    if (pairs === null) return whole();
    let best: PhaseBytes | null = null;
    for (const [i, j] of pairs) {
      const p = pointAt(phase, (part) => partAt(a, i, part) + n * (partAt(b, j, part) - partAt(a, i, part)));
      if (best === null || p.bytes > best.bytes) best = p;
    }
    if (best) out.push(best);
  }
  return out;
}

function sample(model: ModelSpec, setup: TrainingSetup): Sample {
  const trace = simulateStep(model, setup, { semantics: "eager" });
  return { trace, tl: timeline(trace, { byCategory: true }) };
}

function partAt(s: Sample, index: number, part: Part): number {
  let n = 0;
  for (const c of PARTS[part]) n += s.tl.byCategory[c]?.[index] ?? 0;
  return n;
}

function pointAt(phase: PeakPhase, part: (p: Part) => number): PhaseBytes {
  const parts = { weights: part("weights"), gradients: part("gradients"), optimizer: part("optimizer"), activations: part("activations"), temporary: part("temporary") };
  return { phase, at: AT[phase], ...parts, bytes: parts.weights + parts.gradients + parts.optimizer + parts.activations + parts.temporary };
}

/** Event range [start, end) of a phase, and the index of its highest event. */
function phaseRange(trace: Trace, phase: PeakPhase): { start: number; end: number; peak: number; layers: number[] } | null {
  const phases = trace.marks.filter((m) => m.kind === "phase");
  const i = phases.findIndex((m) => m.label === phase);
  if (i < 0) return null;
  const start = phases[i].at;
  const end = i + 1 < phases.length ? phases[i + 1].at : trace.events.length;
  if (end <= start) return null;
  const layers = trace.marks.filter((m) => m.kind === "layer" && m.at >= start && m.at < end).map((m) => m.at);
  const tl = timeline(trace);
  let peak = start;
  for (let e = start; e < end; e++) if (tl.total[e] > tl.total[peak]) peak = e;
  return { start, end, peak, layers };
}

/**
 * Pairs of event indices at the same place in the traces of `k` and `k + 1` layers: before the first
 * layer, in the first, second and second-to-last layers, in the last layer and after it (in backward
 * the first layer run is the model's last, and the last run is its first, which LoRA makes special).
 * Null when the places do not hold the same number of events (the layers differ in structure).
 */
function alignedEvents(ra: { start: number; end: number; layers: number[] }, rb: { start: number; end: number; layers: number[] }, k: number): [number, number][] | null {
  if (ra.layers.length !== k || rb.layers.length !== k + 1) return null;
  const places = (r: { start: number; end: number; layers: number[] }) => {
    const m = r.layers;
    const n = m.length;
    return [
      [r.start, m[0]],
      [m[0], m[1]],
      [m[1], m[2]],
      [m[n - 2], m[n - 1]],
      [m[n - 1], r.end],
    ];
  };
  const pa = places(ra);
  const pb = places(rb);
  const pairs: [number, number][] = [];
  for (let r = 0; r < pa.length; r++) {
    const [a0, a1] = pa[r];
    const [b0, b1] = pb[r];
    if (a1 - a0 !== b1 - b0) return null;
    for (let e = 0; e < a1 - a0; e++) pairs.push([a0 + e, b0 + e]);
  }
  return pairs;
}
