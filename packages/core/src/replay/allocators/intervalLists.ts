/**
 * Many sorted lists of disjoint intervals `[lo0, hi0, lo1, hi1, ...]` in one growing Float64Array:
 * list `i` holds `length[i]` numbers from `start[i]`, with room for `room[i]`. A list that outgrows
 * its room moves to the end with twice the room (the old place is abandoned), so adding an interval
 * allocates nothing on the JavaScript heap: no garbage to collect, however many lists there are.
 * Offsets are bytes and may pass 2^32, hence Float64.
 */
export class IntervalLists {
  data: Float64Array;
  private used = 0;
  readonly start: Int32Array;
  readonly length: Int32Array;
  private readonly room: Int32Array;

  /**
   * `lists` empty lists; `expected` numbers held in all (a guess: the data doubles when it is passed;
   * a good guess saves the copies, and the garbage collections that large allocations set off).
   */
  constructor(lists: number, expected = 1 << 16) {
    let size = 1 << 12;
    while (size < expected && size < 1 << 26) size *= 2;
    this.data = new Float64Array(size);
    this.start = new Int32Array(lists);
    this.length = new Int32Array(lists);
    this.room = new Int32Array(lists);
  }

  /**
   * Adds [lo, hi) to list `i`, merging the intervals it overlaps or touches. The list stays sorted
   * and disjoint. Returns false when the list held [lo, hi) already (nothing changed).
   */
  add(i: number, lo: number, hi: number): boolean {
    const n = this.length[i];
    if (n === 0) {
      if (this.room[i] < 2) this.move(i, 2);
      const s = this.start[i];
      this.data[s] = lo;
      this.data[s + 1] = hi;
      this.length[i] = 2;
      return true;
    }
    let d = this.data;
    const s = this.start[i];
    // First interval that ends at or after lo.
    let a = 0;
    let b = n >> 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (d[s + 2 * mid + 1] < lo) a = mid + 1;
      else b = mid;
    }
    const at = s + 2 * a;
    const end = s + n;
    if (at === end || d[at] > hi) {
      // Insert before `at` (or append).
      if (n + 2 > this.room[i]) {
        this.move(i, 2 * (n + 2));
        d = this.data;
        return this.add(i, lo, hi);
      }
      for (let j = end - 1; j >= at; j--) d[j + 2] = d[j];
      d[at] = lo;
      d[at + 1] = hi;
      this.length[i] = n + 2;
      return true;
    }
    if (d[at] <= lo && d[at + 1] >= hi) return false;
    // Merge with every interval it overlaps or touches.
    let newHi = hi;
    let k = at;
    while (k < end && d[k] <= hi) {
      if (d[k + 1] > newHi) newHi = d[k + 1];
      k += 2;
    }
    if (lo < d[at]) d[at] = lo;
    d[at + 1] = newHi;
    if (k > at + 2) {
      for (let j = k; j < end; j++) d[j - k + at + 2] = d[j];
      this.length[i] = n - (k - at - 2);
    }
    return true;
  }

  /** Makes list `i` the `n` numbers of `from` from `s` (a sorted disjoint list). */
  set(i: number, from: Float64Array, s: number, n: number): void {
    if (n > this.room[i]) {
      this.length[i] = 0;
      this.move(i, Math.max(4, 2 * n));
    }
    const d = this.data;
    const t = this.start[i];
    for (let j = 0; j < n; j++) d[t + j] = from[s + j];
    this.length[i] = n;
  }

  /** Moves list `i` to the end of the data, with room for `room` numbers. */
  private move(i: number, room: number): void {
    if (this.used + room > this.data.length) {
      let size = this.data.length * 2;
      while (size < this.used + room) size *= 2;
      const grown = new Float64Array(size);
      grown.set(this.data.subarray(0, this.used));
      this.data = grown;
    }
    const n = this.length[i];
    const d = this.data;
    const from = this.start[i];
    for (let j = 0; j < n; j++) d[this.used + j] = d[from + j];
    this.start[i] = this.used;
    this.room[i] = room;
    this.used += room;
  }
}
