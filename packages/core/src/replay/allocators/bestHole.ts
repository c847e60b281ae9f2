/**
 * Greedy by size's choice in the union of two sorted lists of disjoint intervals `[lo0, hi0, ...]`
 * (`an` numbers of `a` from 0, `bn` numbers of `b` from `bs`; intervals that touch count as one):
 * the start of the smallest hole between the union's intervals (from 0) that is at least `need`
 * bytes, the lowest of equal ones, else the union's top (0 if both are empty). One merge sweep; the
 * union is never written out.
 */
export function bestHole(a: Float64Array, an: number, b: Float64Array, bs: number, bn: number, need: number): number {
  let i = 0;
  let j = bs;
  const jEnd = bs + bn;
  let reach = 0;
  let best = -1;
  let bestGap = Infinity;
  while (i < an || j < jEnd) {
    let lo: number;
    let hi: number;
    if (j >= jEnd || (i < an && a[i] <= b[j])) {
      lo = a[i];
      hi = a[i + 1];
      i += 2;
    } else {
      lo = b[j];
      hi = b[j + 1];
      j += 2;
    }
    if (lo > reach) {
      const gap = lo - reach;
      if (gap >= need && gap < bestGap) {
        bestGap = gap;
        best = reach;
      }
      reach = hi;
    } else if (hi > reach) reach = hi;
  }
  return best >= 0 ? best : reach;
}
