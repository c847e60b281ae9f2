/**
 * Level of detail for drawing a long series in `columns` pixel columns: for each column, the index
 * of the highest value among the events it covers (so no peak is ever lost when a million events
 * share a few hundred pixels), or, where a column covers less than one event, the event under the
 * column's left edge (a step). Column `c` covers event indexes in [from + c·k, from + (c+1)·k),
 * k = (to - from) / columns. Returns -1 for columns outside 0..values.length - 1.
 * Cost: O(columns + events covered).
 */
export function columnPeaks(values: ArrayLike<number>, from: number, to: number, columns: number): Int32Array {
  const out = new Int32Array(columns).fill(-1);
  const n = values.length;
  const k = (to - from) / columns;
  for (let c = 0; c < columns; c++) {
    const a = from + c * k;
    const b = a + k;
    const i0 = Math.max(0, Math.floor(a));
    const i1 = Math.min(n, Math.ceil(b));
    if (i0 >= i1) continue;
    let best = i0;
    for (let i = i0 + 1; i < i1; i++) if (values[i] > values[best]) best = i;
    out[c] = best;
  }
  return out;
}
