/**
 * Per-pixel min/max buckets: the events to draw so that a series of millions of points keeps its
 * shape and its extremes. Consecutive events that fall in the same pixel column (`column(i)`) are
 * represented by the one with the smallest and the one with the largest `values[i]`, in event
 * order; the first and last events are always kept. So the drawn maximum is the true maximum, and
 * at most 2 points per pixel column (plus 2) are drawn.
 * Returns increasing event indices.
 */
export function minMaxBuckets(values: ArrayLike<number>, column: (i: number) => number): Int32Array {
  const n = values.length;
  if (n === 0) return new Int32Array(0);
  const out: number[] = [0];
  let bucket = column(0);
  let lo = 0;
  let hi = 0;
  const flush = () => {
    const a = Math.min(lo, hi);
    const b = Math.max(lo, hi);
    if (a !== out[out.length - 1]) out.push(a);
    if (b !== out[out.length - 1]) out.push(b);
  };
  for (let i = 1; i < n; i++) {
    const c = column(i);
    if (c !== bucket) {
      flush();
      bucket = c;
      lo = hi = i;
      continue;
    }
    const v = values[i];
    if (v < values[lo]) lo = i;
    if (v > values[hi]) hi = i;
  }
  flush();
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return Int32Array.from(out);
}
