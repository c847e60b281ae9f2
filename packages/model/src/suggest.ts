import { estimate, type EstimateOptions } from "./estimate.js";
import { gpu as toGpu, type Gpu } from "./gpus.js";
import { maxBatch } from "./maxBatch.js";
import type { ModelSpec, TrainingSetup } from "./modelSpec.js";

/** One change to a setup field. */
export interface SetupChange {
  field: keyof TrainingSetup;
  from: unknown;
  to: unknown;
}

/** A setup that fits, with what changed and its estimated total. */
export interface Suggestion {
  changes: SetupChange[];
  /** "attention naive → flash, checkpointing none → full". */
  label: string;
  setup: TrainingSetup;
  /** The new estimate's total (bytes, per GPU). */
  total: number;
  /** Sum of the changes' costs: lower is cheaper in speed or quality (docs/estimator.md in this package, "suggest"). */
  cost: number;
}

interface Option {
  field: keyof TrainingSetup;
  to: unknown;
  cost: number;
}

/**
 * Rough cost of each change in speed or quality, used only to rank: flash attention is exact and
 * faster; ZeRO-1/2 cost no more communication than data parallelism (Rajbhandari et al. 2020);
 * selective recomputation a few percent (Korthikanti et al. 2022); 8-bit AdamW matches 32-bit
 * (Dettmers et al. 2022); full recomputation ~33% more compute; ZeRO-3 1.5x communication;
 * LoRA and QLoRA change what is trained (QLoRA also quantizes the base); bf16 states lose precision.
 */
const GROUPS: Option[][] = [
  [{ field: "attention", to: "flash", cost: 1 }],
  [{ field: "zero", to: 1, cost: 1 }, { field: "zero", to: 2, cost: 2 }, { field: "zero", to: 3, cost: 4 }],
  [{ field: "checkpointing", to: "selective", cost: 2 }, { field: "checkpointing", to: "full", cost: 4 }],
  [{ field: "optimizer", to: "adamw-8bit", cost: 3 }],
  [{ field: "method", to: "lora", cost: 6 }, { field: "method", to: "qlora", cost: 8 }],
  [{ field: "precision", to: "bf16-pure", cost: 7 }],
];
const BATCH_COST = 3;

function applicable(o: Option, setup: TrainingSetup): boolean {
  if (setup[o.field] === o.to) return false;
  if (o.field === "zero") return setup.dp > 1 && (o.to as number) > setup.zero;
  if (o.field === "checkpointing") return o.to === "full" || setup.checkpointing === "none";
  if (o.field === "optimizer") return setup.optimizer === "adamw";
  if (o.field === "method") return setup.method === "full" || o.to === "qlora";
  return true;
}

/**
 * The cheapest changes that make a setup fit a GPU, ranked by cost then total: combinations of
 * flash attention, ZeRO stage (with dp > 1), checkpointing, 8-bit AdamW, LoRA or QLoRA, bf16 states,
 * and a smaller micro-batch (keep the global batch with gradient accumulation). Only minimal
 * combinations are kept (none contains another that fits). Empty when the setup already fits or
 * nothing tried fits.
 *
 * @param limit - most suggestions returned @defaultValue 5
 */
export function suggest(model: ModelSpec, setup: TrainingSetup, gpu: Gpu | string | number, options: EstimateOptions & { limit?: number } = {}): Suggestion[] {
  const capacity = toGpu(gpu).bytes;
  if (estimate(model, setup, options).total <= capacity) return [];
  const groups = GROUPS.map((g) => g.filter((o) => applicable(o, setup))).filter((g) => g.length > 0);
  const found: Suggestion[] = [];
  const walk = (i: number, picked: Option[]) => {
    if (i === groups.length) {
      if (picked.length > 0 || setup.batch > 1) consider(picked);
      return;
    }
    walk(i + 1, picked);
    for (const o of groups[i]) walk(i + 1, [...picked, o]);
  };
  const consider = (picked: Option[]) => {
    const next = { ...setup } as Record<string, unknown>;
    for (const o of picked) next[o.field] = o.to;
    let s = next as unknown as TrainingSetup;
    const changes: SetupChange[] = picked.map((o) => ({ field: o.field, from: setup[o.field], to: o.to }));
    let cost = picked.reduce((c, o) => c + o.cost, 0);
    let total = estimate(model, s, options).total;
    if (total > capacity) {
      if (setup.batch === 1) return;
      const b = maxBatch(model, { ...s, batch: 1 }, capacity, { ...options, limit: setup.batch - 1 });
      if (b === 0) return;
      s = { ...s, batch: b };
      changes.push({ field: "batch", from: setup.batch, to: b });
      cost += BATCH_COST;
      total = estimate(model, s, options).total;
    }
    found.push({ changes, label: changes.map((c) => `${c.field} ${String(c.from)} → ${String(c.to)}`).join(", "), setup: s, total, cost });
  };
  walk(0, []);
  const key = (c: SetupChange) => `${c.field}=${String(c.to)}`;
  const minimal = found.filter(
    (f) => !found.some((g) => g !== f && g.changes.length < f.changes.length && g.changes.every((c) => f.changes.some((d) => key(d) === key(c) || (c.field === "batch" && d.field === "batch")))),
  );
  minimal.sort((a, b) => a.cost - b.cost || a.total - b.total);
  return minimal.slice(0, options.limit ?? 5);
}
