/**
 * Deterministic token ids in `[0, vocab)`: mulberry32 (Tommy Ettinger's 32-bit generator), so the
 * same seed gives the same batch on every backend and every run.
 */
export function tokens(count: number, vocab: number, seed: number): Int32Array {
  let a = seed >>> 0;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) % vocab) | 0;
  }
  return out;
}
