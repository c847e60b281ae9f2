import type { ModelSpec, PipelineSimulation } from "@hbmscope/model";

/** Placeholder until stageChart exists. */
export function pipelineChartSvg(_model: ModelSpec, _sims: PipelineSimulation[]): string {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
}
