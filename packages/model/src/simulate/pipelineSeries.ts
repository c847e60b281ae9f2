import { timeline } from "@hbmscope/core";
import { pipelineSchedule } from "../pipeline/pipelineSchedule.js";
import { pipelineTimes } from "../pipeline/pipelineTimes.js";
import type { PipelineSimulation } from "./simulatePipeline.js";

/** One stage's live bytes after each event of its trace, and when each event happens on the pipeline's clock. */
export interface StageSeries {
  stage: number;
  /** In forward passes of a whole stage (a chunk's forward is 1/V, a backward twice a forward). */
  times: Float64Array;
  /** Live bytes (physical view) after each event. */
  bytes: Float64Array;
}

/**
 * Puts every stage of a pipeline simulation on one clock (`pipelineTimes`): the events of a pass are
 * spread evenly over the time it runs, the setup's at 0, the optimizer step's over one unit after
 * the last stage's last backward (the flush every stage waits for).
 */
export function pipelineSeries(sim: PipelineSimulation): StageSeries[] {
  const V = sim.virtualStages;
  const order = pipelineSchedule({ schedule: sim.schedule, pp: sim.pp, microbatches: sim.microbatches, virtualStages: V });
  const passes = pipelineTimes(order, { forward: 1 / V, backward: 2 / V });
  const flush = Math.max(...passes.flat().map((p) => p.end));
  return sim.stages.map((s) => {
    const { total } = timeline(s.trace);
    const n = total.length;
    const times = new Float64Array(n);
    // Spans of events: [first event, end) per pass (from its microbatch mark), then the optimizer.
    const starts: { at: number; t0: number; t1: number }[] = [{ at: 0, t0: 0, t1: 0 }];
    let k = 0;
    for (const m of s.trace.marks) {
      if (m.kind === "microbatch") {
        const p = passes[s.stage][k++];
        starts.push({ at: m.at, t0: p.start, t1: p.end });
      } else if (m.kind === "phase" && m.label === "optimizer") starts.push({ at: m.at, t0: flush, t1: flush + 1 });
    }
    for (let j = 0; j < starts.length; j++) {
      const from = starts[j].at;
      const to = j + 1 < starts.length ? starts[j + 1].at : n;
      const count = to - from;
      for (let i = from; i < to; i++) times[i] = starts[j].t0 + ((i - from + 1) / (count + 1)) * (starts[j].t1 - starts[j].t0);
    }
    return { stage: s.stage, times, bytes: Float64Array.from(total) };
  });
}
