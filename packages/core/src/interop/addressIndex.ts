/**
 * Live blocks ordered by address, for finding the blocks beside an address: a sorted list cut into
 * chunks of at most `CHUNK` ids, so insert and remove move at most a chunk's ids and find a chunk by
 * binary search over the chunks' first addresses (O(log n + CHUNK) each, where a plain sorted array
 * moves O(n) ids). Ids are ordered by (address, id). Internal to the snapshot importer.
 */
export class AddressIndex {
  private readonly chunks: number[][] = [];
  /** Address and id of each chunk's first entry, for the binary search over chunks. */
  private readonly firstAddress: number[] = [];
  private readonly firstId: number[] = [];
  private count = 0;
  /** The ids just before and just after the id last inserted, in address order (-1 when none). */
  insertedBefore = -1;
  insertedAfter = -1;

  /**
   * `addresses.items[id]` is each id's address (read at each use, so the array may be replaced as
   * it grows); an id's address must not change while the id is in the index.
   */
  constructor(private readonly addresses: { readonly items: ArrayLike<number> }) {}

  private address(id: number): number {
    return this.addresses.items[id];
  }

  get size(): number {
    return this.count;
  }

  /** Adds `id` (not already in the index) and sets `insertedBefore` and `insertedAfter`. */
  insert(id: number): void {
    const a = this.address(id);
    if (this.chunks.length === 0) {
      this.chunks.push([id]);
      this.firstAddress.push(a);
      this.firstId.push(id);
      this.count = 1;
      this.insertedBefore = this.insertedAfter = -1;
      return;
    }
    const c = Math.max(0, this.chunkOf(a, id));
    const chunk = this.chunks[c];
    const at = this.positionIn(chunk, a, id);
    const prev = c > 0 ? this.chunks[c - 1] : undefined;
    this.insertedBefore = at > 0 ? chunk[at - 1] : prev ? prev[prev.length - 1] : -1;
    this.insertedAfter = at < chunk.length ? chunk[at] : c + 1 < this.chunks.length ? this.chunks[c + 1][0] : -1;
    chunk.splice(at, 0, id);
    if (at === 0) this.setFirst(c);
    if (chunk.length > CHUNK) {
      const tail = chunk.splice(CHUNK >> 1);
      this.chunks.splice(c + 1, 0, tail);
      this.firstAddress.splice(c + 1, 0, this.address(tail[0]));
      this.firstId.splice(c + 1, 0, tail[0]);
    }
    this.count++;
  }

  /** Removes `id`; false when it is not in the index. */
  remove(id: number): boolean {
    const a = this.address(id);
    const c = this.chunkOf(a, id);
    if (c < 0) return false;
    const chunk = this.chunks[c];
    const at = this.positionIn(chunk, a, id);
    if (chunk[at] !== id) return false;
    chunk.splice(at, 1);
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.firstAddress.splice(c, 1);
      this.firstId.splice(c, 1);
    } else if (at === 0) this.setFirst(c);
    this.count--;
    return true;
  }

  /** The id just before `id` in address order (-1 when none); `id` must be in the index. */
  before(id: number): number {
    const a = this.address(id);
    const c = this.chunkOf(a, id);
    const at = this.positionIn(this.chunks[c], a, id);
    if (at > 0) return this.chunks[c][at - 1];
    if (c === 0) return -1;
    const prev = this.chunks[c - 1];
    return prev[prev.length - 1];
  }

  /** The id just after `id` in address order (-1 when none); `id` must be in the index. */
  after(id: number): number {
    const a = this.address(id);
    const c = this.chunkOf(a, id);
    const chunk = this.chunks[c];
    const at = this.positionIn(chunk, a, id);
    if (at + 1 < chunk.length) return chunk[at + 1];
    return c + 1 < this.chunks.length ? this.chunks[c + 1][0] : -1;
  }

  /** The id with the highest address (-1 when empty). */
  last(): number {
    const chunk = this.chunks[this.chunks.length - 1];
    return chunk === undefined ? -1 : chunk[chunk.length - 1];
  }

  /** The first id at `address` or above (-1 when none). */
  firstFrom(address: number): number {
    const c = Math.max(0, this.chunkOf(address, -1));
    const chunk = this.chunks[c];
    if (chunk === undefined) return -1;
    const at = this.positionIn(chunk, address, -1);
    if (at < chunk.length) return chunk[at];
    return c + 1 < this.chunks.length ? this.chunks[c + 1][0] : -1;
  }

  /** The last chunk whose first entry is at or before (a, id); -1 when (a, id) precedes them all. */
  private chunkOf(a: number, id: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const fa = this.firstAddress[mid];
      if (fa < a || (fa === a && this.firstId[mid] <= id)) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The first position in `chunk` whose entry is not before (a, id). */
  private positionIn(chunk: number[], a: number, id: number): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = chunk[mid];
      const ma = this.address(m);
      if (ma < a || (ma === a && m < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private setFirst(c: number): void {
    this.firstAddress[c] = this.address(this.chunks[c][0]);
    this.firstId[c] = this.chunks[c][0];
  }
}

/** Most ids a chunk holds before it splits in two: small enough that a splice is a short copy. */
const CHUNK = 128;
