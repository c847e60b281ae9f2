import type { TraceBuilder } from "@hbmscope/core";
import type { TrainingSetup } from "../modelSpec.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import type { StepGraph } from "./stepGraph.js";

/** ZeRO-3 (FSDP full shard): a layer's weights are all-gathered before it runs and freed after. */
export function zero3Gatherer(graph: StepGraph, setup: TrainingSetup, tb: TraceBuilder, plan: PrecisionPlan) {
  const live: number[] = [];
  const byLayer = new Map<number, { bytes: number; shape: number[]; dtype: string; name: string }[]>();
  if (setup.zero === 3 && setup.dp > 1) {
    for (const p of graph.params) {
      const t = graph.tensors[p.tensor];
      const list = byLayer.get(p.layer) ?? [];
      list.push({ bytes: t.bytes, shape: t.shape, dtype: t.dtype === "nf4" ? plan.weight : t.dtype, name: p.name });
      byLayer.set(p.layer, list);
    }
  }
  return {
    gather(layer: number, phase: string) {
      for (const w of byLayer.get(layer) ?? []) {
        live.push(tb.alloc({ bytes: w.bytes, category: "weight", dtype: w.dtype, shape: w.shape, op: "all_gather", scope: w.name, phase }));
      }
    },
    release() {
      while (live.length > 0) tb.free(live.pop()!);
    },
  };
}

export type Zero3Gatherer = ReturnType<typeof zero3Gatherer>;
