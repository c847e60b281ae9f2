import type { ReplaySegment } from "../replayRun.js";
import type { BlockStore } from "./blockStore.js";

/**
 * PyTorch's expandable segments (`expandable_segments:True`; c10/cuda/CUDACachingAllocator.cpp,
 * Note [Expandable Segments], `ExpandableSegment`, `find_expandable_block`, `map_block`,
 * `try_allocate_expandable_block`, `unmap_block`), for `cachingAllocator`:
 * - each pool reserves one range of addresses, 1 1/8 of the device's memory, and maps physical
 *   memory into it in pages: 2 MiB (kSmallBuffer) for the small pool, 20 MiB (kLargeBuffer) for
 *   the large one; only mapped pages count as reserved;
 * - when no cached block fits, the allocator looks for the lowest address where unmapped pages,
 *   with the free block just before them and free or unmapped blocks after, make enough room, maps
 *   the pages needed there (so the segment grows at its end, or refills an earlier hole) and merges
 *   them with the free neighbours; the request then splits that block as usual;
 * - releasing cached memory (`emptyCache`, or before giving up with out of memory) unmaps every
 *   whole page inside a free block.
 *
 * Ranges are blocks of the allocator's `BlockStore`: mapped free blocks in the pool's free index
 * (pool 0 small, 1 large), unmapped ones outside it (pool 2 + the pool), so they never merge with
 * mapped blocks. Each contiguous mapped range is a `ReplaySegment` (as PyTorch's snapshots report
 * them); when a range grows or shrinks, its record is released and the new range recorded.
 */
export class ExpandableSegments {
  /** Unmapped blocks of each pool. */
  private readonly unmapped: number[][] = [[], []];
  /** Live records (indexes into `segments`), by start address. */
  private readonly byStart = new Map<number, number>();
  private readonly byEnd = new Map<number, number>();
  /** Live records' starts, sorted, and each one's record (for the record holding an address). */
  private starts = new Float64Array(0);
  private startRecord = new Int32Array(0);

  constructor(
    private readonly store: BlockStore,
    private readonly segments: ReplaySegment[],
    private readonly totals: Float64Array,
    /** Bytes of address space a pool reserves at a time. */
    private readonly addressSpace: number,
    private readonly pageSize: readonly number[],
    private readonly poolName: readonly string[],
    private nextAddress: number,
  ) {}

  /**
   * try_allocate_expandable_block(): a free mapped block of at least `size` bytes, made by mapping
   * pages, taken out of the free index; -1 if the capacity does not allow the pages.
   */
  allocate(pool: number, size: number, capacity: number, event: number): number {
    const store = this.store;
    let c = this.find(pool, size);
    if (store.pool[c] !== pool) {
      c = this.map(c, Math.min(store.size[c], size), capacity, event);
      if (c < 0) return -1;
    }
    while (store.size[c] < size) {
      const next = store.next[c];
      // find() saw room up to here: unmapped pages follow (defensive: never otherwise).
      if (next < 0 || store.pool[next] !== pool + 2) return -1;
      const mapped = this.map(next, Math.min(size - store.size[c], store.size[next]), capacity, event);
      if (mapped < 0) return -1;
      c = mapped;
    }
    store.removeFree(c);
    return c;
  }

  /** unmap_block() of every free block of both pools: their whole pages go back to the device. */
  releaseCached(event: number): void {
    for (const pool of [1, 0]) for (const b of this.store.freeBlocks(pool)) this.unmap(b, event);
  }

  /** The record of the mapped range holding `address` (-1 if none). */
  recordAt(address: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? this.startRecord[lo - 1] : -1;
  }

  /**
   * find_expandable_block(): the lowest-addressed unmapped block (or the free block right before
   * it) from which free and unmapped blocks add up to `size`; else a new range of addresses.
   */
  private find(pool: number, size: number): number {
    const store = this.store;
    const list = this.unmapped[pool].sort((a, b) => store.address[a] - store.address[b]);
    for (const u of list) {
      const before = store.prev[u];
      const c = before >= 0 && store.isFree[before] !== 0 && store.pool[before] === pool ? before : u;
      let room = 0;
      for (let b = c; b >= 0 && room < size && (store.isFree[b] !== 0 || store.pool[b] === pool + 2); b = store.next[b]) room += store.size[b];
      if (room >= size) return c;
    }
    const page = this.pageSize[pool];
    const base = page * Math.ceil(this.nextAddress / page);
    // At least the request: a device too small for it then fails at mapping, as out of memory.
    const bytes = page * Math.ceil(Math.max(this.addressSpace, size, 1) / page);
    this.nextAddress = base + bytes;
    const u = store.create(base, bytes, -1, pool + 2);
    this.unmapped[pool].push(u);
    return u;
  }

  /**
   * map_block(): maps the pages holding the first `bytes` of unmapped block `u`; the rest stays
   * unmapped; the mapped part merges with free neighbours. Returns the merged free block, or -1
   * when the capacity does not allow the pages.
   */
  private map(u: number, bytes: number, capacity: number, event: number): number {
    const store = this.store;
    const pool = store.pool[u] - 2;
    const page = this.pageSize[pool];
    const mapped = Math.min(store.size[u], page * Math.ceil(bytes / page));
    if (this.totals[0] + mapped > capacity) return -1;
    if (mapped < store.size[u]) this.unmapped[pool].push(this.splitOff(u, mapped, pool + 2));
    this.unmapped[pool].splice(this.unmapped[pool].indexOf(u), 1);
    store.pool[u] = pool;
    this.totals[0] += mapped;
    this.recordMapped(store.address[u], store.address[u] + mapped, pool, event);
    return store.freeAndMerge(u);
  }

  /** unmap_block(): the whole pages inside free block `b` become unmapped. */
  private unmap(b: number, event: number): void {
    const store = this.store;
    const pool = store.pool[b];
    const page = this.pageSize[pool];
    const start = store.address[b];
    const end = start + store.size[b];
    const from = page * Math.ceil(start / page);
    const to = page * Math.floor(end / page);
    if (from >= to) return;
    store.removeFree(b);
    let u = b;
    if (from > start) {
      // The partial page at the start stays a free mapped block.
      u = this.splitOff(b, from - start, pool);
      store.insertFree(b);
    }
    if (to < end) store.insertFree(this.splitOff(u, to - from, pool));
    store.pool[u] = pool + 2;
    this.totals[0] -= to - from;
    this.recordUnmapped(from, to, event);
    // Unmapped neighbours become one unmapped block.
    const list = this.unmapped[pool];
    const after = store.next[u];
    if (after >= 0 && store.pool[after] === pool + 2) {
      store.size[u] += store.size[after];
      this.unlink(after);
      list.splice(list.indexOf(after), 1);
    }
    const before = store.prev[u];
    if (before >= 0 && store.pool[before] === pool + 2) {
      store.size[before] += store.size[u];
      this.unlink(u);
    } else list.push(u);
  }

  /** Splits `b` after its first `size` bytes; the rest, in pool `pool`, is returned (not indexed). */
  private splitOff(b: number, size: number, pool: number): number {
    const store = this.store;
    const rest = store.create(store.address[b] + size, store.size[b] - size, -1, pool, b, store.next[b]);
    if (store.next[b] >= 0) store.prev[store.next[b]] = rest;
    store.next[b] = rest;
    store.size[b] = size;
    return rest;
  }

  /** Takes block `b` out of its list of neighbours and disposes of it. */
  private unlink(b: number): void {
    const store = this.store;
    const p = store.prev[b];
    const n = store.next[b];
    if (p >= 0) store.next[p] = n;
    if (n >= 0) store.prev[n] = p;
    store.dispose(b);
  }

  /** [start, end) was mapped: it joins the mapped ranges around it into one record. */
  private recordMapped(start: number, end: number, pool: number, event: number): void {
    const left = this.byEnd.get(start);
    const right = this.byStart.get(end);
    if (left !== undefined) start = this.segments[left].address;
    if (right !== undefined) end = this.segments[right].address + this.segments[right].bytes;
    if (left !== undefined) this.release(left, event);
    if (right !== undefined) this.release(right, event);
    this.record(start, end, pool, event);
  }

  /** [start, end) was unmapped from the record holding it: what is left of it is recorded anew. */
  private recordUnmapped(start: number, end: number, event: number): void {
    const k = this.recordAt(start);
    const seg = this.segments[k];
    const pool = this.poolName.indexOf(seg.pool);
    const segEnd = seg.address + seg.bytes;
    this.release(k, event);
    if (seg.address < start) this.record(seg.address, start, pool, event);
    if (end < segEnd) this.record(end, segEnd, pool, event);
  }

  private record(start: number, end: number, pool: number, event: number): void {
    const k = this.segments.length;
    this.segments.push({ address: start, bytes: end - start, pool: this.poolName[pool], reservedAt: event, releasedAt: -1 });
    this.byStart.set(start, k);
    this.byEnd.set(end, k);
    this.sortStarts();
  }

  private release(k: number, event: number): void {
    const seg = this.segments[k];
    seg.releasedAt = event;
    this.byStart.delete(seg.address);
    this.byEnd.delete(seg.address + seg.bytes);
    this.sortStarts();
  }

  /** Remakes the sorted starts and their records (records change rarely: on a miss or a release). */
  private sortStarts(): void {
    this.starts = Float64Array.from(this.byStart.keys()).sort();
    this.startRecord = Int32Array.from(this.starts, (start) => this.byStart.get(start)!);
  }
}
