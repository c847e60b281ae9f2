import type { IntervalLists } from "./intervalLists.js";

/** A union of intervals being built: sorted disjoint `[lo0, hi0, ...]` in `list[0 .. length)`. */
export class IntervalUnion {
  list = new Float64Array(256);
  length = 0;
  private spare = new Float64Array(256);

  clear() {
    this.length = 0;
  }

  /** Adds list `i` of `lists`. */
  addList(lists: IntervalLists, i: number) {
    const fn = lists.length[i];
    if (fn === 0) return;
    const s = lists.start[i];
    if (fn === 2) this.addOne(lists.data[s], lists.data[s + 1]);
    else this.add(lists.data, s, fn);
  }

  /** Adds the `fn` numbers of a sorted disjoint list from `from[s]`: one linear merge, touching intervals joined. */
  add(from: Float64Array, s: number, fn: number) {
    if (fn === 0) return;
    const un = this.length;
    if (this.spare.length < un + fn) {
      this.spare = new Float64Array(2 * (un + fn));
      const grown = new Float64Array(2 * (un + fn));
      grown.set(this.list.subarray(0, un));
      this.list = grown;
    }
    const u = this.list;
    if (un === 0 || from[s] > u[un - 1]) {
      // Empty so far, or all of `from` lies above: append.
      for (let j = 0; j < fn; j++) u[un + j] = from[s + j];
      this.length = un + fn;
      return;
    }
    // Each list's next start kept (Infinity once exhausted): one test a step.
    const out = this.spare;
    let i = 0;
    let j = s;
    const jEnd = s + fn;
    let ui = u[0];
    let fj = from[s];
    let lo: number;
    let hi: number;
    if (ui <= fj) {
      lo = ui;
      hi = u[1];
      i = 2;
      ui = i < un ? u[i] : Infinity;
    } else {
      lo = fj;
      hi = from[s + 1];
      j = s + 2;
      fj = j < jEnd ? from[j] : Infinity;
    }
    let k = 0;
    for (;;) {
      let nlo: number;
      let nhi: number;
      if (ui <= fj) {
        if (ui === Infinity) break;
        nlo = ui;
        nhi = u[i + 1];
        i += 2;
        ui = i < un ? u[i] : Infinity;
      } else {
        nlo = fj;
        nhi = from[j + 1];
        j += 2;
        fj = j < jEnd ? from[j] : Infinity;
      }
      if (nlo <= hi) {
        if (nhi > hi) hi = nhi;
      } else {
        out[k++] = lo;
        out[k++] = hi;
        lo = nlo;
        hi = nhi;
      }
    }
    out[k++] = lo;
    out[k++] = hi;
    this.spare = u;
    this.list = out;
    this.length = k;
  }

  /** Adds one interval in place: a binary search and one shift of the intervals after it. */
  addOne(lo: number, hi: number) {
    const un = this.length;
    if (this.list.length < un + 2) {
      const grown = new Float64Array(2 * (un + 2));
      grown.set(this.list.subarray(0, un));
      this.list = grown;
      this.spare = new Float64Array(2 * (un + 2));
    }
    const u = this.list;
    // First interval that ends at or after lo (it may touch or overlap [lo, hi)).
    let i = 0;
    let j = un >> 1;
    while (i < j) {
      const mid = (i + j) >> 1;
      if (u[2 * mid + 1] < lo) i = mid + 1;
      else j = mid;
    }
    i *= 2;
    if (i === un || u[i] > hi) {
      for (let j = un - 1; j >= i; j--) u[j + 2] = u[j];
      u[i] = lo;
      u[i + 1] = hi;
      this.length = un + 2;
      return;
    }
    // Merge with every interval it overlaps or touches.
    let newHi = hi;
    let k = i;
    while (k < un && u[k] <= hi) {
      if (u[k + 1] > newHi) newHi = u[k + 1];
      k += 2;
    }
    if (lo < u[i]) u[i] = lo;
    u[i + 1] = newHi;
    if (k > i + 2) {
      for (let j = k; j < un; j++) u[j - k + i + 2] = u[j];
      this.length = un - (k - i - 2);
    }
  }
}

