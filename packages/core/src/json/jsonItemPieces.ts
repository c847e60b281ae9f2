/**
 * The items of a JSON array, without its brackets, as comma-joined pieces of `per` items each
 * (what `JSON.stringify` writes between "[" and "]": an item with no JSON form is `null`). Returns
 * the number of items. For writers that must not build one string of a huge array.
 */
export function* jsonItemPieces(items: Iterable<unknown>, per: number): Generator<string, number> {
  let count = 0;
  let parts: string[] = [];
  for (const item of items) {
    parts.push(JSON.stringify(item) ?? "null");
    if (parts.length === per) {
      yield (count > 0 ? "," : "") + parts.join(",");
      count += parts.length;
      parts = [];
    }
  }
  if (parts.length > 0) {
    yield (count > 0 ? "," : "") + parts.join(",");
    count += parts.length;
  }
  return count;
}
