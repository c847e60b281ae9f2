/**
 * Ranks (positions in allocation order, `m` of them) sorted by size, largest first, ties by earlier
 * allocation (`byStart[r]` is the buffer of rank r, `size` its bytes, all multiples of `alignment`):
 * a counting sort when there are at most `few` distinct sizes (a trace's tensors repeat their
 * shapes), else one numeric sort of packed keys where they are exact, else a comparison sort.
 */
export function sizeOrder(byStart: Int32Array, m: number, size: Float64Array, alignment: number, few = FEW_SIZES): Int32Array {
  const order = new Int32Array(m);
  const counts = new Map<number, number>();
  for (let r = 0; r < m && counts.size <= few; r++) {
    const s = size[byStart[r]];
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  if (counts.size <= few) {
    // Each size's first position in the order, then the ranks in allocation order into their size's.
    const next = new Map<number, number>();
    let at = 0;
    for (const s of [...counts.keys()].sort((p, q) => q - p)) {
      next.set(s, at);
      at += counts.get(s)!;
    }
    for (let r = 0; r < m; r++) {
      const s = size[byStart[r]];
      const k = next.get(s)!;
      order[k] = r;
      next.set(s, k + 1);
    }
    return order;
  }
  let bits = 0;
  while (2 ** bits < m) bits++;
  let largest = 0;
  for (let r = 0; r < m; r++) largest = Math.max(largest, size[byStart[r]] / alignment);
  if ((largest + 1) * 2 ** bits < 2 ** 53) {
    const keys = new Float64Array(m);
    for (let r = 0; r < m; r++) keys[r] = (largest - size[byStart[r]] / alignment) * 2 ** bits + r;
    keys.sort();
    for (let r = 0; r < m; r++) order[r] = keys[r] % 2 ** bits;
  } else {
    const ranks = Array.from({ length: m }, (_, r) => r);
    ranks.sort((p, q) => size[byStart[q]] - size[byStart[p]] || p - q);
    order.set(ranks);
  }
  return order;
}

/** Above this many distinct sizes, `sizeOrder` sorts instead of counting. */
export const FEW_SIZES = 4096;
