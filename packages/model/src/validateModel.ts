import type { ModelSpec } from "./modelSpec.js";

const positiveInts = ["layers", "hidden", "heads", "kvHeads", "ffn", "vocab", "maxPositions"] as const;

function fail(spec: ModelSpec, message: string): never {
  throw new Error(`model ${JSON.stringify(spec?.name ?? "?")}: ${message}`);
}

/**
 * Checks a ModelSpec and throws an Error naming the field, the value and what is accepted:
 * positive integer sizes, heads dividing hidden (unless `headDim` is given), kvHeads dividing heads,
 * known activation and norm. Returns the spec.
 */
export function validateModel(spec: ModelSpec): ModelSpec {
  if (spec === null || typeof spec !== "object") throw new Error(`model: expected a ModelSpec object, got ${String(spec)}`);
  for (const k of positiveInts) {
    const v = spec[k];
    if (!Number.isSafeInteger(v) || v < 1) fail(spec, `${k} must be a positive integer, got ${String(v)}`);
  }
  if (!Number.isSafeInteger(spec.positionEmbeddings) || spec.positionEmbeddings < 0) {
    fail(spec, `positionEmbeddings must be an integer >= 0 (0 for rotary), got ${String(spec.positionEmbeddings)}`);
  }
  if (spec.headDim !== undefined) {
    if (!Number.isSafeInteger(spec.headDim) || spec.headDim < 1) fail(spec, `headDim must be a positive integer, got ${String(spec.headDim)}`);
  } else if (spec.hidden % spec.heads !== 0) {
    fail(spec, `heads (${spec.heads}) must divide hidden (${spec.hidden}), or give headDim`);
  }
  if (spec.heads % spec.kvHeads !== 0) fail(spec, `kvHeads (${spec.kvHeads}) must divide heads (${spec.heads})`);
  if (spec.activation !== "gelu" && spec.activation !== "swiglu") fail(spec, `activation must be "gelu" or "swiglu", got ${JSON.stringify(spec.activation)}`);
  if (spec.norm !== "layernorm" && spec.norm !== "rmsnorm") fail(spec, `norm must be "layernorm" or "rmsnorm", got ${JSON.stringify(spec.norm)}`);
  for (const k of ["tiedEmbeddings", "bias", "dropout"] as const) {
    if (typeof spec[k] !== "boolean") fail(spec, `${k} must be true or false, got ${String(spec[k])}`);
  }
  return spec;
}
