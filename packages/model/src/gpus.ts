import { parseByteSize } from "@hbmscope/core";
import { overhead, type OverheadDefaults } from "./overhead.js";

/**
 * An accelerator by its memory. `bytes` is the total nvidia-smi reports (`memory.total`, MiB × 2^20):
 * what the driver hands out, less than the marketed "24 GB" or "80 GB" of the datasheets.
 */
export interface Gpu {
  name: string;
  /** Total memory as nvidia-smi reports it (bytes). */
  bytes: number;
  /** Where the figure comes from. */
  source: string;
  /** The marketed size in GB (the tier the card belongs to), for catalogued cards and tiers. */
  tierGB?: number;
  /** For a tier: the catalogued cards it stands for (its `bytes` is the smallest of them). */
  cards?: readonly string[];
}

const MiB = 2 ** 20;
const card = (name: string, tierGB: number, mib: number, source: string): Gpu =>
  Object.freeze({ name, bytes: mib * MiB, tierGB, source: `nvidia-smi memory.total ${mib} MiB: ${source}` });

// nvidia-smi's memory.total per card, as users and cloud providers have published it.
const MODAL = "modal-labs/modal-client pull request #2797 (nvidia-smi totals of Modal's GPU fleet)";

/** Named cards with nvidia-smi's total memory (bytes), one list for the CLI, the charts and the docs. */
export const gpuCatalogue: readonly Gpu[] = Object.freeze([
  card("T4", 16, 15360, MODAL),
  card("A10", 24, 23028, MODAL),
  card("A10G", 24, 23028, "NVIDIA/DCGM issue #232 (AWS g5, 'NVIDIA A10G ... / 23028MiB')"),
  card("L4", 24, 23034, MODAL),
  card("RTX 4090", 24, 24564, "RLinf/RLinf issue #255 ('NVIDIA GeForce RTX 4090 ... / 24564MiB', driver 550.163.01)"),
  card("RTX 3090", 24, 24576, "noonghunna/club-3090 issue #1127 ('NVIDIA GeForce RTX 3090 ... / 24576MiB', driver 595.84)"),
  card("A100 40GB", 40, 40960, MODAL),
  card("L40S", 48, 46068, MODAL),
  card("A100 80GB", 80, 81920, MODAL),
  card("H100 80GB", 80, 81559, MODAL),
  card("H200", 141, 143771, "public nvidia-smi logs of 8x H200 SXM nodes ('NVIDIA H200 ... / 143771MiB', driver 570.158.01)"),
]);

/**
 * The memory tiers (16, 24, 40, 48, 80, 141 GB), each standing for the catalogued cards sold with that
 * size; a tier's `bytes` is the smallest nvidia-smi total among them, so "fits the 24GB tier" means
 * it fits every catalogued 24 GB card.
 */
export const gpuTiers: readonly Gpu[] = Object.freeze(
  [...new Set(gpuCatalogue.map((g) => g.tierGB!))]
    .sort((a, b) => a - b)
    .map((gb) => {
      const cards = gpuCatalogue.filter((g) => g.tierGB === gb);
      const smallest = cards.reduce((a, b) => (b.bytes < a.bytes ? b : a));
      return Object.freeze({
        name: `${gb}GB`,
        bytes: smallest.bytes,
        tierGB: gb,
        cards: Object.freeze(cards.map((g) => g.name)),
        source: `tier: the smallest of ${cards.map((g) => g.name).join(", ")} (${smallest.name}, ${smallest.bytes / MiB} MiB)`,
      });
    }),
);

const key = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, "");

/**
 * A GPU by name or by size; the one rule every command uses to turn `--gpu` / `--capacity` into bytes.
 *
 * - A card name, case and separators ignored (`"A100 40GB"`, `"h100"`, `"rtx-4090"`, `"4090"`): a
 *   catalogued card whose name is or contains it. A name several cards contain (`"A100"`) throws
 *   an Error listing them.
 * - A tier (`"24GB"`, `"24G"`, `"24 GB"`): the catalogued cards of that size (see `gpuTiers`).
 * - Any other size, read by core's `parseByteSize` (`"30GB"` = 30e9, `"80GiB"` = 80 × 2^30, bytes).
 *
 * @returns the Gpu; `bytes` is the card's whole memory: subtract the reserve with `usableBytes`.
 */
export function gpu(nameOrBytes: string | number | Gpu): Gpu {
  if (typeof nameOrBytes === "object" && nameOrBytes !== null) return nameOrBytes;
  if (typeof nameOrBytes === "string") {
    const k = key(nameOrBytes);
    const exact = gpuCatalogue.find((g) => key(g.name) === k);
    if (exact) return exact;
    const tier = /^(\d+)g(b)?$/.exec(k);
    if (tier) {
      const t = gpuTiers.find((g) => g.tierGB === Number(tier[1]));
      if (t) return t;
    }
    // A size ("30GB", "25769803776") is not a name; a short number ("4090") may be.
    const sizeLike = /^\d+(\.\d+)?(e\d+)?([kmgt]i?b?|b)?$/.test(k) && !/^\d{1,4}$/.test(k);
    if (!sizeLike) {
      const matches = gpuCatalogue.filter((g) => key(g.name).includes(k));
      if (matches.length === 1) return matches[0];
      if (matches.length > 1) {
        throw new Error(`gpu: ${JSON.stringify(nameOrBytes)} names several cards; choose one of ${matches.map((g) => g.name).join(", ")}`);
      }
    }
  }
  let bytes: number;
  try {
    bytes = parseByteSize(nameOrBytes as string | number, "gpu");
  } catch {
    throw new Error(
      `gpu: unknown GPU ${JSON.stringify(nameOrBytes)}; use a name (${gpuCatalogue.map((g) => g.name).join(", ")}), a tier (${gpuTiers.map((g) => g.name).join(", ")}) or a size (30GB, 80GiB, bytes)`,
    );
  }
  if (bytes <= 0) throw new Error(`gpu: memory must be more than 0 bytes, got ${JSON.stringify(nameOrBytes)}`);
  return { name: typeof nameOrBytes === "string" ? nameOrBytes.trim() : `${bytes} B`, bytes, source: "user" };
}

/**
 * The bytes of a GPU that a training step's tensors can use: its total minus the reserve, the memory
 * the process holds outside the step's tensors (the CUDA context, the cuBLAS workspace and any
 * `extra`: `overhead(options).bytes`, 520 MiB with the defaults). The estimator adds the same reserve
 * to its total, so `fits(estimate, gpu)` and an allocator replay at `usableBytes(gpu)` apply one
 * rule: tensors + reserve <= the card's memory.
 *
 * @param options - changes to the reserve's parts (bytes). @defaultValue overheadDefaults
 * @returns bytes, never below 0.
 */
export function usableBytes(g: Gpu | string | number, options?: Partial<OverheadDefaults>): number {
  return Math.max(0, gpu(g).bytes - overhead(options).bytes);
}
