import { timeline, traceBuilder, type Trace } from "@hbmscope/core";
import type { ModelSpec, TrainingSetup } from "../modelSpec.js";
import { pipelineSchedule, PIPELINE_SCHEDULES, type PipelineScheduleName } from "../pipeline/pipelineSchedule.js";
import { stageLayers } from "../pipeline/stageLayers.js";
import { eagerGraph } from "./eagerGraph.js";
import { eagerPass, type EagerPass } from "./eagerPass.js";
import { precisionPlan } from "./precisionPlan.js";
import { programOf } from "./programOf.js";
import { allocModelStates, runOptimizer } from "./stepStates.js";
import type { StepGraph } from "./stepGraph.js";
import { validateSimulation } from "./validateSimulation.js";
import { zero3Gatherer } from "./zero3Gatherer.js";

export interface SimulatePipelineOptions {
  /** @defaultValue `"1f1b"` */
  schedule?: PipelineScheduleName;
  /** Microbatches per training step (M). @defaultValue `setup.pp` */
  microbatches?: number;
  /** Model chunks per GPU for `interleaved`. @defaultValue 2 for `interleaved`, else 1 */
  virtualStages?: number;
}

/** One stage's step: its trace and where its peak falls. Sizes in bytes. */
export interface PipelineStageResult {
  /** 0-based. */
  stage: number;
  /** The layers of each of its model chunks, `[start, end)`. */
  layers: [number, number][];
  trace: Trace;
  /** Most live bytes (physical view, before allocator overhead). */
  peakBytes: number;
  peakPhase: string;
  /** The microbatch (0-based) and model chunk whose pass runs at the peak (-1 during setup or the optimizer). */
  peakMicrobatch: number;
  peakChunk: number;
  peakOp: string;
  peakScope: string;
}

export interface PipelineSimulation {
  schedule: PipelineScheduleName;
  pp: number;
  microbatches: number;
  virtualStages: number;
  stages: PipelineStageResult[];
  notes: string[];
}

/**
 * One training step of a pipeline-parallel model, simulated per stage (eager semantics, fused
 * kernels' rules): each stage allocates its weights and optimizer state, then runs its schedule's
 * forward and backward passes of every microbatch (`pipelineSchedule`), each pass as `simulateStep`
 * runs one (`eagerPass`), then the optimizer step. Pipeline rules (Megatron-LM, schedules.py):
 * - the first stage holds the embedding, the last the final norm, LM head (a copy of a tied embedding)
 *   and loss; `stageLayers` splits the layers;
 * - a later stage receives its input activation ([b, s/tp under sp, h], saved by its first layer) and
 *   sends back its gradient at the end of the microbatch's backward; an earlier stage sends its output
 *   and frees it (`deallocate_pipeline_outputs`), then its backward starts from the received gradient;
 * - the loss keeps no logits past the forward (Megatron-LM's loss function returns the loss only);
 * - weight gradients accumulate over the microbatches (first into `.grad`, then in place);
 * - checkpointing, tp / sp / dp / ZeRO apply per microbatch as in `simulateStep`.
 * Marks: `forward` / `backward` / `optimizer` phases, and one `microbatch` mark (`F3`, `B3`; `F3.1`
 * with chunk 1 when interleaved) before each pass. Throws on a bad setup, naming the field.
 */
export function simulatePipeline(model: ModelSpec, setup: TrainingSetup, options: SimulatePipelineOptions = {}): PipelineSimulation {
  const schedule = options.schedule ?? "1f1b";
  if (!PIPELINE_SCHEDULES.includes(schedule)) throw new Error(`simulatePipeline: unknown schedule ${JSON.stringify(schedule)}; accepted: ${PIPELINE_SCHEDULES.join(", ")}`);
  const pp = setup.pp;
  const microbatches = options.microbatches ?? pp;
  const virtualStages = options.virtualStages ?? (schedule === "interleaved" ? 2 : 1);
  validateSimulation(model, { ...setup, pp: 1 }, { semantics: "eager", backend: "wasm", mode: "train" });
  if (!Number.isSafeInteger(pp) || pp < 1) throw new Error(`simulatePipeline: setup.pp must be a positive integer, got ${String(pp)}`);
  const order = pipelineSchedule({ schedule, pp, microbatches, virtualStages });
  const split = stageLayers(model.layers, pp, virtualStages);
  const plan = precisionPlan(setup);
  const program = programOf(setup);
  const notes = [...program.notes];
  if (model.layers % (pp * virtualStages) !== 0) {
    const counts = split.map((chunks) => chunks.reduce((n, [a, b]) => n + b - a, 0));
    notes.push(`pp ${pp} does not divide the ${model.layers} layers: stages hold ${counts.join(", ")} layers (the first ones one more)`);
  }
  const stages = split.map((chunks, stage) => {
    const meta = {
      source: "simulated",
      semantics: "eager",
      mode: "train",
      program: { implementation: "fused", device: program.device },
      pipeline: { stage, stages: pp, schedule, microbatches, virtualStages, layers: chunks },
      ...(notes.length > 0 ? { notes } : {}),
      model,
      setup,
    };
    const tb = traceBuilder(meta);
    tb.mark("setup", "phase");
    const graphs: StepGraph[] = chunks.map(([layerStart, layerEnd], v) =>
      eagerGraph(model, setup, plan, true, { layerStart, layerEnd, first: stage === 0 && v === 0, last: stage === pp - 1 && v === virtualStages - 1 }),
    );
    const contexts = graphs.map((graph) => {
      const states = allocModelStates(graph, plan, setup, tb, true);
      return { weightBuffer: states.weightBuffer, paramGrad: new Int32Array(graph.params.length).fill(-1), gathered: zero3Gatherer(graph, setup, tb, plan) };
    });
    const passes = new Map<string, EagerPass>();
    let phase = "";
    for (const step of order[stage]) {
      const key = `${step.microbatch}.${step.chunk}`;
      if (step.pass !== phase) tb.mark((phase = step.pass), "phase");
      tb.mark(`${step.pass === "forward" ? "F" : "B"}${virtualStages > 1 ? key : step.microbatch}`, "microbatch");
      const last = stage === pp - 1 && step.chunk === virtualStages - 1;
      if (step.pass === "forward") {
        const pass = eagerPass(graphs[step.chunk], plan, setup, tb, true, contexts[step.chunk]);
        passes.set(key, pass);
        pass.allocInputs("forward");
        pass.forward();
        pass.releaseKept();
      } else {
        const pass = passes.get(key)!;
        passes.delete(key);
        pass.backward(last ? "ones_like" : "recv_backward");
        pass.freeInputs();
      }
    }
    tb.mark("optimizer", "phase");
    // One optimizer step over all the stage's chunks (PyTorch's foreach path sees every weight at once).
    const all: StepGraph = { ...graphs[0], params: graphs.flatMap((g) => g.params) };
    const grads = new Int32Array(all.params.length);
    let at = 0;
    for (const c of contexts) {
      grads.set(c.paramGrad, at);
      at += c.paramGrad.length;
    }
    runOptimizer(all, plan, setup, tb, grads);
    const trace = tb.build();
    return { stage, layers: chunks, trace, ...stagePeak(trace) };
  });
  return { schedule, pp, microbatches, virtualStages, stages, notes };
}

/** Where a stage's trace peaks: bytes, phase, op, and the microbatch pass running then. */
function stagePeak(trace: Trace) {
  const t = timeline(trace);
  let label = "";
  for (const m of trace.marks) {
    if (m.at > t.peak.index) break;
    if (m.kind === "microbatch") label = m.label;
    else if (m.kind === "phase" && (m.label === "optimizer" || m.label === "setup")) label = "";
  }
  const match = /^[FB](\d+)(?:\.(\d+))?$/.exec(label);
  return {
    peakBytes: t.peak.bytes,
    peakPhase: t.peak.phase,
    peakMicrobatch: match ? Number(match[1]) : -1,
    peakChunk: match ? Number(match[2] ?? 0) : -1,
    peakOp: t.peak.op,
    peakScope: t.peak.scope,
  };
}
