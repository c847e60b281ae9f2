/**
 * The layers each pipeline stage runs, per model chunk: `[stage][chunk] = [start, end)`. The model's
 * `layers` are cut into pp·V consecutive chunks; chunk v of stage i is the (v·pp + i)-th (Megatron-LM's
 * interleaved assignment; V = 1 is the plain split). When pp·V does not divide the layers, the first
 * chunks get one layer more (so stage 0 holds ⌈layers / pp⌉ with V = 1, the estimator's `layersPerStage`);
 * interleaving needs an even split, as Megatron-LM asserts, and so does every chunk need a layer.
 */
export function stageLayers(layers: number, pp: number, virtualStages = 1): [number, number][][] {
  const chunks = pp * virtualStages;
  if (chunks > layers) throw new Error(`stageLayers: pp × virtual stages (${pp} × ${virtualStages} = ${chunks}) is more than the ${layers} layers; each chunk needs at least one layer`);
  if (virtualStages > 1 && layers % chunks !== 0) {
    throw new Error(`stageLayers: interleaving needs the ${layers} layers to split evenly into pp × virtual stages = ${chunks} chunks (Megatron-LM asserts it)`);
  }
  const base = Math.floor(layers / chunks);
  const extra = layers % chunks;
  const bounds: [number, number][] = [];
  let start = 0;
  for (let c = 0; c < chunks; c++) {
    const n = base + (c < extra ? 1 : 0);
    bounds.push([start, start + n]);
    start += n;
  }
  return Array.from({ length: pp }, (_, i) => Array.from({ length: virtualStages }, (_, v) => bounds[v * pp + i]));
}
