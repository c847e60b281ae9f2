/** Events per block of `blockPeaks`. */
export const BLOCK = 64;

/**
 * The index of the highest value in each block of `size` consecutive values (the first on ties):
 * lets `columnPeaks` skip whole blocks, so a zoomed-out frame costs about n / size steps, not n.
 * @param size - values per block. @defaultValue 64
 */
export function blockPeaks(values: ArrayLike<number>, size = BLOCK): Int32Array {
  const out = new Int32Array(Math.ceil(values.length / size));
  for (let k = 0; k < out.length; k++) {
    const start = k * size;
    const end = Math.min(values.length, start + size);
    let best = start;
    for (let i = start + 1; i < end; i++) if (values[i] > values[best]) best = i;
    out[k] = best;
  }
  return out;
}

/**
 * Level of detail for drawing a long series in `columns` pixel columns: for each column, the index
 * of the highest value among the events it covers (the first on ties; so no peak is ever lost when
 * a million events share a few hundred pixels), or, where a column covers less than one event, the
 * event under it (a step). Column `c` covers event indexes [floor(a), ceil(a + k)) with
 * a = from + c·k, k = (to - from) / columns. Returns -1 for columns outside 0..values.length - 1.
 * With `blocks` (`blockPeaks(values, size)`) whole blocks inside a column cost one step each.
 */
export function columnPeaks(values: ArrayLike<number>, from: number, to: number, columns: number, blocks?: Blocks): Int32Array {
  const out = new Int32Array(columns).fill(-1);
  const k = (to - from) / columns;
  for (let c = 0; c < columns; c++) {
    const a = from + c * k;
    out[c] = rangePeak(values, Math.floor(a), Math.ceil(a + k), blocks);
  }
  return out;
}

/** `blockPeaks` with its block size. */
export interface Blocks {
  peaks: Int32Array;
  size: number;
}

/**
 * Index of the highest of `values[i0..i1)` (clipped to the array; the first on ties), or -1 when
 * the range is empty. With `blocks`, whole blocks inside the range cost one step each.
 */
export function rangePeak(values: ArrayLike<number>, i0: number, i1: number, blocks?: Blocks): number {
  i0 = Math.max(0, i0);
  i1 = Math.min(values.length, i1);
  if (i0 >= i1) return -1;
  let best = i0;
  let i = i0 + 1;
  if (blocks && i1 - i0 > 2 * blocks.size) {
    const size = blocks.size;
    const firstBlock = Math.ceil(i / size);
    const lastBlock = Math.floor(i1 / size); // exclusive
    for (; i < firstBlock * size; i++) if (values[i] > values[best]) best = i;
    for (let b = firstBlock; b < lastBlock; b++) {
      const j = blocks.peaks[b];
      if (values[j] > values[best]) best = j;
    }
    i = lastBlock * size;
  }
  for (; i < i1; i++) if (values[i] > values[best]) best = i;
  return best;
}
