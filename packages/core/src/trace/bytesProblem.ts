/**
 * What is wrong with `v` as a size in bytes of a trace (undefined when it is fine): a size is a
 * non-negative integer no larger than 2^53 - 1 (9007199254740991 bytes, about 8 PiB), the largest
 * integer a JSON number (an IEEE double) holds exactly. Writers and readers use this one rule, so
 * what one command writes every command reads.
 */
export function bytesProblem(v: unknown): string | undefined {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return undefined;
  if (typeof v === "number" && Number.isFinite(v) && v > Number.MAX_SAFE_INTEGER) {
    return `${v} is beyond 2^53 - 1 (9007199254740991 bytes, about 8 PiB), the largest size a trace holds exactly`;
  }
  return `must be a non-negative integer, got ${typeof v === "number" || typeof v === "bigint" ? String(v) : v === undefined ? "nothing" : JSON.stringify(v)?.slice(0, 40) ?? String(v)}`;
}
