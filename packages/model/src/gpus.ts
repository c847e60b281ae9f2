import { parseByteSize } from "@hbmscope/core";

/** An accelerator by its memory. `bytes` uses the vendor's GB = 1e9 bytes. */
export interface Gpu {
  name: string;
  bytes: number;
  /** Datasheet the size comes from (tiers: the seed article's guide). */
  source: string;
}

const tier = (gb: number): Gpu => ({ name: `${gb}GB`, bytes: gb * 1e9, source: "memory tier (seed article's GPU guide: 16 / 24 / 40+ GB)" });

/** Memory tiers the fit report checks when no GPU is named: 16, 24, 40, 48, 80, 141 GB. */
export const gpuTiers: readonly Gpu[] = Object.freeze([16, 24, 40, 48, 80, 141].map((gb) => Object.freeze(tier(gb))));

/** Named cards and their memory (GB = 1e9 bytes, as on the datasheets). */
export const gpuCatalogue: readonly Gpu[] = Object.freeze(
  [
    { name: "T4", bytes: 16e9, source: "NVIDIA T4 datasheet: 16 GB GDDR6" },
    { name: "L4", bytes: 24e9, source: "NVIDIA L4 datasheet: 24 GB GDDR6" },
    { name: "A10G", bytes: 24e9, source: "AWS EC2 G5 instances: NVIDIA A10G with 24 GB" },
    { name: "RTX 4090", bytes: 24e9, source: "NVIDIA GeForce RTX 4090 specifications: 24 GB GDDR6X" },
    { name: "A100 40GB", bytes: 40e9, source: "NVIDIA A100 datasheet: 40 GB HBM2" },
    { name: "A100 80GB", bytes: 80e9, source: "NVIDIA A100 datasheet: 80 GB HBM2e" },
    { name: "H100", bytes: 80e9, source: "NVIDIA H100 datasheet: 80 GB HBM3 (SXM)" },
    { name: "H200", bytes: 141e9, source: "NVIDIA H200 datasheet: 141 GB HBM3e" },
  ].map((g) => Object.freeze(g)),
);

const key = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, "");
const ALIASES: Record<string, string> = { a100: "A100 80GB", a10080: "A100 80GB", a10040: "A100 40GB", "4090": "RTX 4090", a10: "A10G" };

/**
 * A GPU by name (`"A100 40GB"`, `"h100"`, `"rtx-4090"`, case and separators ignored), or by size
 * (`"24GB"` = 24e9 bytes, `"80GiB"`, or a number of bytes; parsed by core's `parseByteSize`).
 * Throws an Error listing the known names on anything else.
 */
export function gpu(nameOrBytes: string | number | Gpu): Gpu {
  if (typeof nameOrBytes === "object" && nameOrBytes !== null) return nameOrBytes;
  if (typeof nameOrBytes === "string") {
    const k = key(nameOrBytes);
    const named = gpuCatalogue.find((g) => key(g.name) === k) ?? gpuCatalogue.find((g) => g.name === ALIASES[k]);
    if (named) return named;
  }
  let bytes: number;
  try {
    bytes = parseByteSize(nameOrBytes as string | number, "gpu");
  } catch {
    throw new Error(
      `gpu: unknown GPU ${JSON.stringify(nameOrBytes)}; use a name (${gpuCatalogue.map((g) => g.name).join(", ")}) or a size (24GB, 80GiB, bytes)`,
    );
  }
  if (bytes <= 0) throw new Error(`gpu: memory must be more than 0 bytes, got ${JSON.stringify(nameOrBytes)}`);
  const t = gpuTiers.find((g) => g.bytes === bytes);
  return t ?? { name: typeof nameOrBytes === "string" ? nameOrBytes.trim() : `${bytes} B`, bytes, source: "user" };
}
