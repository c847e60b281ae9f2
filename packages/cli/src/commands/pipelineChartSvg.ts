import { pipelineSeries, type ModelSpec, type PipelineSimulation } from "@hbmscope/model";
import { stageChart } from "@hbmscope/viz";

/**
 * The stages of every schedule simulated, stacked on one clock (`pipelineSeries`), as `simulate --pp N --svg` writes them;
 * `subtitle` is the setup (`setupSubtitle`), `capacity` the usable bytes of the card.
 */
export function pipelineChartSvg(model: ModelSpec, sims: PipelineSimulation[], capacity?: number, subtitle = ""): string {
  const rows = sims.flatMap((sim) =>
    pipelineSeries(sim).map((s) => ({
      label: `stage ${s.stage}`,
      group: `${sim.schedule}${sim.virtualStages > 1 ? ` (${sim.virtualStages} virtual stages)` : ""}`,
      times: s.times,
      bytes: s.bytes,
    })),
  );
  const s = sims[0];
  const title = `${model.name}: ${sims.map((x) => x.schedule).join(" vs ")}, ${s.pp} stages, ${s.microbatches} microbatches`;
  return stageChart(rows, { title, subtitle, capacity, xLabel: "time (forward passes of one stage; a backward takes two)" }).svg;
}
