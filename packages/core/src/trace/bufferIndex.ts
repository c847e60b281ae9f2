/**
 * Maps buffer ids to dense indices (0..n-1). Dense ids (`buffers[i].id === i`, the common case)
 * need no table at all; other ids use a typed table when compact, else a Map.
 */
export interface BufferIndex {
  /** Dense index of a buffer id, or -1 when no buffer has that id. */
  (id: number): number;
}

export function bufferIndex(ids: ArrayLike<number>): BufferIndex {
  const n = ids.length;
  let dense = true;
  let max = -1;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (id !== i) dense = false;
    if (id > max) max = id;
  }
  if (dense) return (id) => (id >= 0 && id < n && Number.isInteger(id) ? id : -1);
  if (max < 4 * n + 1024) {
    const table = new Int32Array(max + 1).fill(-1);
    for (let i = 0; i < n; i++) table[ids[i]] = i;
    return (id) => (id >= 0 && id <= max && Number.isInteger(id) ? table[id] : -1);
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) map.set(ids[i], i);
  return (id) => map.get(id) ?? -1;
}
