// The planned arena's plan (src/replay/allocators/plannedArena.ts's planArena loop): TFLite's greedy
// by size over a segment tree of merged interval lists, ported line for line, so that every offset
// is the JS one. The JS driver (src/replay/wasm/wasmPlanArena.ts) computes the ranks, sizes and the
// order of placement (planRanks.ts, shared with the JS plan), writes them at pPlanSize, pPlanLast
// and pPlanOrder after `planSetup`, runs `planSteps` in chunks (calling onProgress between them) and
// reads each rank's offset at pPlanOffset. Offsets and sizes are f64 bytes (exact integers up to
// 2^53), ranks and list indexes i32, as in the JS typed arrays.
//
// Memory, from __heap_base (the replay lays out the same memory; one call runs at a time per
// instance, and the planned allocator's replay itself stays in JS): a 64-byte stamp record, the
// per-rank inputs and outputs, the tree's fixed tables, then a heap that only grows: every interval
// list's numbers (a list that outgrows its room moves to the heap's end with twice the room, as
// IntervalLists does in one Float64Array) and the union being built. The covers and `starts`
// (IntervalLists of plannedArena.ts) and the path unions (PathUnions) are one table of lists: path
// union v is list `paths + v`.

/** Bytes of a list's entry in the table: its numbers' address u32 at 0, its length (numbers) i32 at 4, its room i32 at 8. */
const LIST: usize = 16;
const L_LENGTH: usize = 4;
const L_ROOM: usize = 8;

// The stamp: at `base + 8` (where the replay's `setup` writes -1, replayLayout.ts), the
// number of the plan in progress; `planSteps` traps when it or the plan's globals have changed since
// `planSetup` (a replay or another plan ran on this instance from onProgress), and the driver falls
// back to the JS plan.
let base: usize = 0;
let epoch: i32 = 0;
let stamp: i32 = 0;

/** Buffers to place (ranks), placed so far, and the arena (the largest end so far), bytes. */
export let planM: i32 = 0;
export let planPlaced: i32 = 0;
export let planArenaBytes: f64 = 0;
// Inputs (per rank) and the output.
export let pPlanSize: usize = 0; // f64: size rounded to the alignment
export let pPlanLast: usize = 0; // i32: the rank of the last allocation in its lifetime
export let pPlanOrder: usize = 0; // i32: ranks in the order of placement
export let pPlanOffset: usize = 0; // f64 out

let leaves: i32 = 0;
let low: i32 = 0;
let top: i32 = 0;
let starts: i32 = 0;
let paths: i32 = 0;
let scan: i32 = 0;
let pPlaced: usize = 0; // u8 per leaf
let pTable: usize = 0; // LIST bytes per list
let pVersion: usize = 0; // i32 per node below top (PathUnions' version, made, ref)
let pMade: usize = 0;
let pRef: usize = 0;
let pCanonical: usize = 0; // i32 x 64
let pPending: usize = 0; // i32 x 128
let pChain: usize = 0; // i32 x 64
let clock: i32 = 0;
// The heap: bump allocation of f64 numbers, memory grown ahead (never shrunk).
let heapTop: usize = 0;
let memEnd: usize = 0;
// The union being built (IntervalUnion): `uLength` numbers at uList; uSpare of the same room.
let uList: usize = 0;
let uSpare: usize = 0;
let uRoom: i32 = 0;
let uLength: i32 = 0;

@inline function align64(x: usize): usize {
  return (x + 63) & ~(<usize>63);
}

/** Grows memory so that it holds `end` bytes: by half again at least (fewer grows), else just enough; traps if refused. */
function reserve(end: usize): void {
  if (end <= memEnd) return;
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    const more = <i32>(have >> 17);
    if (more <= pages || memory.grow(more) < 0) {
      if (memory.grow(pages) < 0) unreachable();
    }
  }
  memEnd = <usize>memory.size() << 16;
}

/** `numbers` f64 at the heap's end. */
function heapAlloc(numbers: i32): usize {
  const at = heapTop;
  heapTop += <usize>numbers << 3;
  if (heapTop < at) unreachable(); // past 4 GiB
  reserve(heapTop);
  return at;
}

@inline function entry(i: i32): usize {
  return pTable + <usize>i * LIST;
}
@inline function lStart(i: i32): usize {
  return <usize>load<u32>(entry(i));
}
@inline function lLength(i: i32): i32 {
  return load<i32>(entry(i), L_LENGTH);
}
@inline function lRoom(i: i32): i32 {
  return load<i32>(entry(i), L_ROOM);
}
@inline function f(at: usize, k: i32): f64 {
  return load<f64>(at + (<usize>k << 3));
}
@inline function setF(at: usize, k: i32, v: f64): void {
  store<f64>(at + (<usize>k << 3), v);
}
@inline function i32At(at: usize, k: i32): i32 {
  return load<i32>(at + (<usize>k << 2));
}
@inline function setI32(at: usize, k: i32, v: i32): void {
  store<i32>(at + (<usize>k << 2), v);
}

/** Copies `count` f64 from `from` to `to`, lowest first (to <= from, or apart). A loop (the lists are short): measured as fast as memory.copy on the training trace. */
@inline function copyDown(to: usize, from: usize, count: i32): void {
  for (let j = 0; j < count; j++) store<f64>(to + (<usize>j << 3), load<f64>(from + (<usize>j << 3)));
}

/** Moves the `count` f64 from `p` two places up (16 bytes), highest first. */
@inline function shiftUp(p: usize, count: i32): void {
  for (let j = count - 1; j >= 0; j--) store<f64>(p + (<usize>j << 3), load<f64>(p + (<usize>j << 3)), 16);
}

/** Moves list `i` to the heap's end with room for `room` numbers (IntervalLists.move). */
function move(i: i32, room: i32): void {
  const to = heapAlloc(room);
  const e = entry(i);
  copyDown(to, <usize>load<u32>(e), load<i32>(e, L_LENGTH));
  store<u32>(e, <u32>to);
  store<i32>(e, room, L_ROOM);
}

/** IntervalLists.add: adds [lo, hi) to list `i`, merging what it overlaps or touches; false when the list held it already. */
function listAdd(i: i32, lo: f64, hi: f64): bool {
  const e = entry(i);
  const n = load<i32>(e, L_LENGTH);
  if (n == 0) {
    if (load<i32>(e, L_ROOM) < 2) move(i, 2);
    const s = <usize>load<u32>(e);
    store<f64>(s, lo);
    store<f64>(s, hi, 8);
    store<i32>(e, 2, L_LENGTH);
    return true;
  }
  let s = <usize>load<u32>(e);
  // First interval that ends at or after lo.
  let a = 0;
  let b = n >> 1;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (f(s, 2 * mid + 1) < lo) a = mid + 1;
    else b = mid;
  }
  let at = 2 * a;
  if (at == n || f(s, at) > hi) {
    // Insert before `at` (or append).
    if (n + 2 > load<i32>(e, L_ROOM)) {
      move(i, 2 * (n + 2));
      s = <usize>load<u32>(e);
    }
    const p = s + (<usize>at << 3);
    shiftUp(p, n - at);
    store<f64>(p, lo);
    store<f64>(p, hi, 8);
    store<i32>(e, n + 2, L_LENGTH);
    return true;
  }
  if (f(s, at) <= lo && f(s, at + 1) >= hi) return false;
  // Merge with every interval it overlaps or touches.
  let newHi = hi;
  let k = at;
  while (k < n && f(s, k) <= hi) {
    const kh = f(s, k + 1);
    if (kh > newHi) newHi = kh;
    k += 2;
  }
  if (lo < f(s, at)) setF(s, at, lo);
  setF(s, at + 1, newHi);
  if (k > at + 2) {
    copyDown(s + (<usize>(at + 2) << 3), s + (<usize>k << 3), n - k);
    store<i32>(e, n - (k - at - 2), L_LENGTH);
  }
  return true;
}

/**
 * The union of the `an` numbers at `a` and the `bn` at `b` (sorted disjoint lists), touching
 * intervals joined, written at `out` (apart from both); its length. IntervalUnion.add's merge, with
 * each list's next start kept in a local (Infinity once exhausted): one test a step, not four.
 */
function merge(a: usize, an: i32, b: usize, bn: i32, out: usize): i32 {
  if (an == 0 || bn == 0) {
    copyDown(out, an == 0 ? b : a, an + bn);
    return an + bn;
  }
  const aEnd = a + (<usize>an << 3);
  const bEnd = b + (<usize>bn << 3);
  const start = out;
  let ai = load<f64>(a);
  let bj = load<f64>(b);
  let lo: f64;
  let hi: f64;
  if (ai <= bj) {
    lo = ai;
    hi = load<f64>(a, 8);
    a += 16;
    ai = a < aEnd ? load<f64>(a) : Infinity;
  } else {
    lo = bj;
    hi = load<f64>(b, 8);
    b += 16;
    bj = b < bEnd ? load<f64>(b) : Infinity;
  }
  for (;;) {
    let nlo: f64;
    let nhi: f64;
    if (ai <= bj) {
      if (ai == Infinity) break;
      nlo = ai;
      nhi = load<f64>(a, 8);
      a += 16;
      ai = a < aEnd ? load<f64>(a) : Infinity;
    } else {
      nlo = bj;
      nhi = load<f64>(b, 8);
      b += 16;
      bj = b < bEnd ? load<f64>(b) : Infinity;
    }
    if (nlo <= hi) {
      if (nhi > hi) hi = nhi;
    } else {
      store<f64>(out, lo);
      store<f64>(out, hi, 8);
      out += 16;
      lo = nlo;
      hi = nhi;
    }
  }
  store<f64>(out, lo);
  store<f64>(out, hi, 8);
  out += 16;
  return <i32>((out - start) >> 3);
}

/** Room for `need` numbers in the union and its spare (both new, twice that, the union copied). */
function unionRoom(need: i32): void {
  if (uRoom >= need) return;
  const room = 2 * need;
  const list = heapAlloc(room);
  uSpare = heapAlloc(room);
  copyDown(list, uList, uLength);
  uList = list;
  uRoom = room;
}

/** IntervalUnion.addOne: one interval in place, a binary search and one shift. */
function unionAddOne(lo: f64, hi: f64): void {
  const un = uLength;
  unionRoom(un + 2);
  const u = uList;
  let i = 0;
  let j = un >> 1;
  while (i < j) {
    const mid = (i + j) >> 1;
    if (f(u, 2 * mid + 1) < lo) i = mid + 1;
    else j = mid;
  }
  i *= 2;
  if (i == un || f(u, i) > hi) {
    const p = u + (<usize>i << 3);
    shiftUp(p, un - i);
    store<f64>(p, lo);
    store<f64>(p, hi, 8);
    uLength = un + 2;
    return;
  }
  let newHi = hi;
  let k = i;
  while (k < un && f(u, k) <= hi) {
    const kh = f(u, k + 1);
    if (kh > newHi) newHi = kh;
    k += 2;
  }
  if (lo < f(u, i)) setF(u, i, lo);
  setF(u, i + 1, newHi);
  if (k > i + 2) {
    copyDown(u + (<usize>(i + 2) << 3), u + (<usize>k << 3), un - k);
    uLength = un - (k - i - 2);
  }
}

/** IntervalUnion.addList: adds list `l` of the table. */
function unionAddList(l: i32): void {
  const fn = lLength(l);
  if (fn == 0) return;
  const s = lStart(l);
  if (fn == 2) {
    unionAddOne(load<f64>(s), load<f64>(s, 8));
    return;
  }
  const un = uLength;
  unionRoom(un + fn);
  const u = uList;
  if (un == 0 || load<f64>(s) > f(u, un - 1)) {
    // Empty so far, or all of the list lies above: append.
    copyDown(u + (<usize>un << 3), s, fn);
    uLength = un + fn;
    return;
  }
  const spare = uSpare;
  uLength = merge(u, un, s, fn, spare);
  uSpare = u;
  uList = spare;
}

/** PathUnions.of: the list holding the union of the covers of `node` (1 <= node < top) and its ancestors. */
function pathOf(node: i32): i32 {
  let links = 0;
  for (let v = node; v >= 1; v >>= 1) setI32(pChain, links++, v);
  let above = 0;
  for (let j = links - 1; j >= 0; j--) {
    const v = i32At(pChain, j);
    const made = i32At(pMade, v);
    if (made <= i32At(pVersion, v) || made <= above) {
      const p = v >> 1;
      const cn = lLength(v);
      if (cn == 0) setI32(pRef, v, p >= 1 ? i32At(pRef, p) : v);
      else {
        setI32(pRef, v, v);
        const to = paths + v;
        if (p >= 1) {
          const from = paths + i32At(pRef, p);
          const fn = lLength(from);
          if (fn + cn > lRoom(to)) {
            store<i32>(entry(to), 0, L_LENGTH);
            move(to, fn + cn > 2 ? 2 * (fn + cn) : 4);
          }
          store<i32>(entry(to), merge(lStart(from), fn, lStart(v), cn, lStart(to)), L_LENGTH);
        } else {
          if (cn > lRoom(to)) {
            store<i32>(entry(to), 0, L_LENGTH);
            move(to, cn > 2 ? 2 * cn : 4);
          }
          copyDown(lStart(to), lStart(v), cn);
          store<i32>(entry(to), cn, L_LENGTH);
        }
      }
      setI32(pMade, v, clock++);
    }
    above = i32At(pMade, v);
  }
  return paths + i32At(pRef, node);
}

/**
 * bestHole.ts: the start of the smallest hole of at least `need` bytes between the intervals of the
 * union of three sorted lists (the lowest of equal ones), else the union's top.
 */
function bestHole(a: usize, an: i32, b: usize, bn: i32, c: usize, cn: i32, need: f64): f64 {
  let i = 0;
  let j = 0;
  let l = 0;
  let reach: f64 = 0;
  let best: f64 = -1;
  let bestGap = Infinity;
  // Each list's next start (Infinity once exhausted), loaded when it advances.
  let ai = an > 0 ? f(a, 0) : Infinity;
  let bj = bn > 0 ? f(b, 0) : Infinity;
  let cl = cn > 0 ? f(c, 0) : Infinity;
  for (;;) {
    let lo: f64;
    let hi: f64;
    if (ai <= bj && ai <= cl) {
      if (ai == Infinity) break;
      lo = ai;
      hi = f(a, i + 1);
      i += 2;
      ai = i < an ? f(a, i) : Infinity;
    } else if (bj <= cl) {
      lo = bj;
      hi = f(b, j + 1);
      j += 2;
      bj = j < bn ? f(b, j) : Infinity;
    } else {
      lo = cl;
      hi = f(c, l + 1);
      l += 2;
      cl = l < cn ? f(c, l) : Infinity;
    }
    if (lo > reach) {
      const gap = lo - reach;
      if (gap >= need && gap < bestGap) {
        // Holes come in address order: none later can beat one of exactly `need` bytes.
        if (gap == need) return reach;
        bestGap = gap;
        best = reach;
      }
      reach = hi;
    } else if (hi > reach) reach = hi;
  }
  return best >= 0 ? best : reach;
}

/** Places rank `r` (the body of planArena's loop). */
function place(r: i32): void {
  const sx = f(pPlanSize, r);
  // Canonical pieces of [r, last[r]].
  let pieces = 0;
  let lo = r + leaves;
  let hi = i32At(pPlanLast, r) + leaves + 1;
  while (lo < hi) {
    if (lo & 1) setI32(pCanonical, pieces++, lo++);
    if (hi & 1) setI32(pCanonical, pieces++, --hi);
    lo >>= 1;
    hi >>= 1;
  }
  let count = 0;
  uLength = 0;
  for (let j = 0; j < pieces; j++) {
    const c = i32At(pCanonical, j);
    if (c < low) {
      if (lLength(starts + c) != 0) setI32(pPending, count++, starts + c);
    } else {
      let first = c;
      let width = 1;
      while (first < leaves) {
        first *= 2;
        width *= 2;
      }
      for (let q = first - leaves, end = first - leaves + width; q < end; q++) {
        if (load<u8>(pPlaced + <usize>q) != 0) {
          const at = f(pPlanOffset, q);
          unionAddOne(at, at + f(pPlanSize, q));
        }
      }
    }
  }
  let a = r + leaves;
  for (; a >= top; a >>= 1) if (lLength(a) != 0) setI32(pPending, count++, a);
  // Shortest first; the longest, last, is left to the sweep.
  for (let i = 1; i < count; i++) {
    const l = i32At(pPending, i);
    const len = lLength(l);
    let j = i - 1;
    while (j >= 0 && lLength(i32At(pPending, j)) > len) {
      setI32(pPending, j + 1, i32At(pPending, j));
      j--;
    }
    setI32(pPending, j + 1, l);
  }
  const longest = count > 0 ? i32At(pPending, --count) : -1;
  for (let i = 0; i < count; i++) unionAddList(i32At(pPending, i));
  const path = pathOf(a);
  const ln = longest < 0 ? 0 : lLength(longest);
  const ls: usize = longest < 0 ? 0 : lStart(longest);
  const at = bestHole(uList, uLength, ls, ln, lStart(path), lLength(path), sx);
  setF(pPlanOffset, r, at);
  if (at + sx > planArenaBytes) planArenaBytes = at + sx;
  for (let j = 0; j < pieces; j++) {
    const c = i32At(pCanonical, j);
    if (listAdd(c, at, at + sx) && c < top) setI32(pVersion, c, clock++);
  }
  store<u8>(pPlaced + <usize>r, 1);
  // A node's `starts` holds its children's: once one held it already, so do all above it.
  for (let v = (r + leaves) >> (scan + 1); v >= 1; v >>= 1) if (!listAdd(starts + v, at, at + sx)) break;
}

/**
 * Lays out a plan of `m` ranks (m >= 1) with planArena's shape (`cacheSkip`, `scanLevels` already
 * capped at 24), growing memory for it, and resets the tree. The driver then writes the inputs at
 * pPlanSize, pPlanLast and pPlanOrder. Returns the plan's stamp, for `planSteps`.
 */
export function planSetup(m: i32, cacheSkip: i32, scanLevels: i32): i32 {
  planM = m;
  planPlaced = 0;
  planArenaBytes = 0;
  scan = scanLevels;
  leaves = 1;
  let depth = 0;
  while (leaves < m) {
    leaves *= 2;
    depth++;
  }
  low = leaves >> scanLevels;
  if (low < 1) low = 1;
  starts = 2 * leaves;
  paths = 2 * leaves + low;
  top = 1 << (depth - cacheSkip > 1 ? depth - cacheSkip : 1);
  const M = <usize>m;
  const lists = <usize>(paths + top);
  const T = <usize>top;
  // Everything below laid out in 64-bit arithmetic first: past wasm32's 4 GiB, trap (the driver
  // plans in JS) rather than let addresses wrap.
  const total: u64 = <u64>__heap_base + 64 * 4 + 24 * <u64>M + <u64>leaves + LIST * <u64>lists + 12 * <u64>T + 4 * 256 + (16 * <u64>M + 64 * <u64>T + 1024) * 8;
  if (total >= (<u64>1 << 32)) unreachable();
  base = align64(__heap_base);
  let at = base + 64;
  pPlanSize = at; at += 8 * M;
  pPlanOffset = at; at += 8 * M;
  pPlanLast = at; at += 4 * M;
  pPlanOrder = at; at += 4 * M;
  pPlaced = at; at += <usize>leaves;
  at = align64(at);
  pTable = at; at += LIST * lists;
  pVersion = at; at += 4 * T;
  pMade = at; at += 4 * T;
  pRef = at; at += 4 * T;
  pCanonical = at; at += 4 * 64;
  pPending = at; at += 4 * 128;
  pChain = at; at += 4 * 64;
  heapTop = align64(at);
  // As plannedArena.ts's guesses: about 16 numbers a buffer in the covers and starts, 64 per path union.
  memEnd = 0;
  reserve(heapTop + (16 * M + 64 * T + 1024) * 8);
  memory.fill(pPlaced, 0, <usize>leaves);
  memory.fill(pTable, 0, LIST * lists);
  memory.fill(pVersion, 0, 12 * T);
  clock = 1;
  uRoom = 0;
  uLength = 0;
  unionRoom(128);
  stamp = ++epoch;
  store<f64>(base, <f64>stamp, 8);
  return stamp;
}

/**
 * Places up to `count` more buffers of the plan stamped `expect` (greedy by size, in `pPlanOrder`
 * order); returns how many are placed in all. Traps if another plan or a replay has used the
 * instance since `planSetup` (the driver then plans in JS), or if memory is refused.
 */
export function planSteps(count: i32, expect: i32): i32 {
  if (stamp != expect || load<f64>(base, 8) != <f64>expect) unreachable();
  let k = planPlaced;
  const end = count < planM - k ? k + count : planM;
  for (; k < end; k++) place(i32At(pPlanOrder, k));
  planPlaced = k;
  return k;
}
