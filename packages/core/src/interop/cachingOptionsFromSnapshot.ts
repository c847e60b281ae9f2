import type { CachingAllocatorOptions } from "../replay/allocators/cachingAllocator.js";
import { SnapshotError } from "./snapshotError.js";

/**
 * The `cachingAllocator` options that match a snapshot's `allocator_settings`
 * (torch/csrc/cuda/memory_snapshot.cpp writes them): `max_split_size` (bytes; -1, i.e. SIZE_MAX,
 * means off), `roundup_power2_divisions` (a dict keyed "1", "2", "4", ... for the power-of-two
 * intervals from 1 MiB, in order) and `expandable_segments`. Settings the model does not
 * implement (`garbage_collection_threshold`) are listed in `unsupported`, so a replay that differs
 * because of them says why. A setting PyTorch itself would refuse (`max_split_size` of 20 MiB or
 * less, a division that is not 0, 1 or a power of two) throws a `SnapshotError` naming the
 * snapshot's key and value, and what to do.
 */
export function cachingOptionsFromSnapshot(settings: Record<string, unknown> | undefined): {
  options: CachingAllocatorOptions;
  unsupported: string[];
} {
  const options: CachingAllocatorOptions = {};
  const unsupported: string[] = [];
  if (!settings) return { options, unsupported };
  const maxSplit = Number(settings.max_split_size);
  if (Number.isFinite(maxSplit) && maxSplit > 0 && maxSplit < 2 ** 62) {
    // CUDAAllocatorConfig::parseMaxSplitSize: "max_split_size_mb too small, must be > 20".
    if (maxSplit <= 20 * 2 ** 20) bad("max_split_size", maxSplit, "more than 20 MiB (20971520 bytes), or -1 for off");
    options.maxSplitSize = maxSplit;
  }
  const divisions = settings.roundup_power2_divisions;
  if (divisions && typeof divisions === "object" && !Array.isArray(divisions)) {
    const values = Object.entries(divisions as Record<string, unknown>)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, v]) => Number(v));
    if (values.some((v) => v > 1)) {
      const list = new Array<number>(16).fill(0);
      values.slice(0, 16).forEach((v, i) => (list[i] = division(v, divisions)));
      options.roundupPower2Divisions = list;
    }
  } else if (Array.isArray(divisions) && divisions.some((v) => Number(v) > 1)) {
    const list = new Array<number>(16).fill(0);
    divisions.slice(0, 16).forEach((v, i) => (list[i] = division(Number(v), divisions)));
    options.roundupPower2Divisions = list;
  }
  if (settings.expandable_segments === true) options.expandableSegments = true;
  const gc = Number(settings.garbage_collection_threshold);
  if (Number.isFinite(gc) && gc > 0) unsupported.push(`garbage_collection_threshold ${gc} (the model frees cached blocks only on emptyCache or OOM)`);
  return { options, unsupported };
}

/** One interval's division: PyTorch (CUDAAllocatorConfig::parseRoundUpPower2Divisions) takes 0, 1 or a power of two. */
function division(v: number, all: unknown): number {
  if (Number.isInteger(v) && v >= 0 && (v <= 1 || (v & (v - 1)) === 0)) return v;
  return bad("roundup_power2_divisions", all, "0, 1 or a power of two for each interval");
}

function bad(key: string, value: unknown, accepted: string): never {
  const shown = JSON.stringify(value, (_, x) => (typeof x === "bigint" ? String(x) : x))?.slice(0, 80) ?? String(value);
  throw new SnapshotError(
    `the snapshot's allocator_settings.${key} is ${shown}, which PyTorch does not accept (${accepted}); correct it in the snapshot to replay it through the caching allocator`,
  );
}
