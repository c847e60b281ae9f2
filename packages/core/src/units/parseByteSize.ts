const UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * Parses a byte size: a plain integer (`"25769803776"`), or a number with a unit, case ignored, where
 * K/M/G/T and KB/MB/GB/TB are powers of ten and KiB/MiB/GiB/TiB powers of two (`"24G"` = `"24GB"` =
 * 24e9, `"80GiB"` = 80 × 2^30).
 *
 * Hand-written on purpose: the popular `bytes` package reads "GB" as 2^30, which would make
 * "24GB" a different card than the vendors (and the reference vectors) mean.
 *
 * @param what - names the flag or option in the error message.
 * @returns whole bytes (rounded down).
 */
export function parseByteSize(text: string | number, what = "size"): number {
  if (typeof text === "number") {
    if (Number.isFinite(text) && text >= 0) return Math.floor(text);
    throw new Error(`${what}: expected a non-negative number of bytes, got ${text}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(String(text));
  const unit = m ? (m[2] || "b").toLowerCase() : "";
  if (!m || !(unit in UNITS)) {
    throw new Error(
      `${what}: cannot read ${JSON.stringify(text)} as a byte size; use bytes (25769803776) or a number with a unit: B, K/KB, M/MB, G/GB, T/TB (powers of 10), KiB, MiB, GiB, TiB (powers of 2)`,
    );
  }
  const value = Number(m[1]) * UNITS[unit];
  if (!Number.isFinite(value) || value > Number.MAX_SAFE_INTEGER) {
    throw new Error(`${what}: ${JSON.stringify(text)} is too large`);
  }
  return Math.floor(value);
}
