import { Grow } from "./growArray.js";

// What a row holds under a key (0: the row has no such key).
const ABSENT = 0;
const NUMBER = 1;
const STRING = 2;
const TRUE = 3;
const FALSE = 4;
const NULL = 5;
const OTHER = 6;
const NUMBERS = 7;

/** One key's rows: what each holds (`kind`) and its `value`, doubled when full. */
class Column {
  kind = new Uint8Array(1024);
  /** The number, or the string's index in `strings`, or where the list starts in `lists`, or the row's key in `others`. */
  value = new Float64Array(1024);
  count = 0;

  push(kind: number, value: number): void {
    if (this.count === this.kind.length) this.grow();
    this.kind[this.count] = kind;
    this.value[this.count++] = value;
  }

  private grow(): void {
    const n = this.kind.length * 2;
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    const value = new Float64Array(n);
    value.set(this.value);
    this.kind = kind;
    this.value = value;
  }
}

/**
 * Many small JSON objects (a trace's buffers or events) kept as columns, one per key, and given
 * back equal, keys in their order: about 9 bytes per field instead of an object's 50 or more.
 * Strings are kept once each (interned); arrays of numbers (a buffer's `shape`) in one typed
 * array, each as its length then its items; other arrays and objects as they are, in a side table.
 */
export class ObjectColumns {
  private readonly columns = new Map<string, Column>();
  private readonly shapes: string[][] = [];
  /** Each key order's columns, in its order. */
  private readonly shapeColumns: Column[][] = [];
  private readonly shapeIds = new Map<string, number>();
  /**
   * Key orders by the very array `addValues` was given (callers pass the same array for an order
   * that repeats), the first 256: rows that alternate between orders skip `shapeOf`.
   */
  private readonly shapeByArray = new Map<string[], number>();
  private readonly shape = new Grow(Uint16Array, 1024);
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly others = new Map<number, unknown>();
  private readonly lists = new Grow(Float64Array, 1024);
  private otherCount = 0;
  /** The key order of the last row added (rows mostly repeat it). */
  private lastShape = -1;

  /** Rows kept. */
  get count(): number {
    return this.shape.count;
  }

  /** Keeps a plain JSON object (as `JSON.parse` makes them) as the next row. */
  add(o: Record<string, unknown>): void {
    const row = this.shape.count;
    const keys = Object.keys(o);
    let id = this.lastShape;
    if (!sameKeys(keys, this.shapes[id])) id = this.shapeOf(keys);
    this.lastShape = id;
    this.shape.push(id);
    this.addFields(o, keys, this.shapeColumns[id], row);
  }

  /**
   * Keeps the next row from its values, `values[j]` under `keys[j]` (JSON values; `keys` the same
   * array from call to call when the order repeats, and never changed once given): what `add`
   * keeps of an object with those keys and values, without the object.
   */
  addValues(keys: string[], values: ArrayLike<unknown>): void {
    const row = this.shape.count;
    let id = this.lastShape;
    if (this.shapes[id] !== keys && !sameKeys(keys, this.shapes[id])) {
      const known = this.shapeByArray.get(keys);
      if (known !== undefined) id = known;
      else {
        id = this.shapeOf(keys);
        if (this.shapeByArray.size < 256) this.shapeByArray.set(keys, id);
      }
    }
    this.lastShape = id;
    this.shape.push(id);
    const columns = this.shapeColumns[id];
    for (let j = 0; j < keys.length; j++) this.addField(columns[j], row, values[j]);
  }

  /** The id of a key order, given one if it is new. */
  private shapeOf(keys: string[]): number {
    // JSON text: unambiguous whatever the keys hold (no keys and one empty key differ too).
    const sig = JSON.stringify(keys);
    let id = this.shapeIds.get(sig);
    if (id === undefined) {
      // More than 65,535 key orders (never in a trace hbmscope writes): one shape per row would not fit.
      if (this.shapes.length >= 0xffff) throw new RangeError("ObjectColumns: more than 65535 distinct key orders");
      id = this.shapes.length;
      this.shapes.push(keys);
      this.shapeIds.set(sig, id);
      this.shapeColumns.push(keys.map((key) => this.column(key)));
    }
    return id;
  }

  private column(key: string): Column {
    let c = this.columns.get(key);
    if (c === undefined) {
      c = new Column();
      this.columns.set(key, c);
    }
    return c;
  }

  private addFields(o: Record<string, unknown>, keys: string[], columns: Column[], row: number): void {
    for (let j = 0; j < keys.length; j++) this.addField(columns[j], row, o[keys[j]]);
  }

  /** Value `v` as row `row` of column `c` (rows before it that lack the key are filled in). */
  private addField(c: Column, row: number, v: unknown): void {
    while (c.count < row) c.push(ABSENT, 0);
    if (typeof v === "number") c.push(NUMBER, v);
    else if (typeof v === "string") {
      let s = this.stringIds.get(v);
      if (s === undefined) {
        s = this.strings.length;
        this.strings.push(v);
        this.stringIds.set(v, s);
      }
      c.push(STRING, s);
    } else if (Array.isArray(v) && allNumbers(v)) {
      c.push(NUMBERS, this.lists.count);
      this.lists.push(v.length);
      for (let k = 0; k < v.length; k++) this.lists.push(v[k] as number);
    } else if (v === true || v === false || v === null) {
      c.push(v === true ? TRUE : v === false ? FALSE : NULL, 0);
    } else {
      const k = this.otherCount++;
      this.others.set(k, v);
      c.push(OTHER, k);
    }
  }

  /** Row `i` as a new object, equal to the one added. */
  get(i: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.shapes[this.shape.items[i]]) {
      const c = this.columns.get(key)!;
      const v = c.value[i];
      let x: unknown;
      switch (c.kind[i]) {
        case NUMBER:
          x = v;
          break;
        case STRING:
          x = this.strings[v];
          break;
        case TRUE:
          x = true;
          break;
        case FALSE:
          x = false;
          break;
        case NULL:
          x = null;
          break;
        case NUMBERS: {
          const items = this.lists.items;
          const list: number[] = [];
          for (let k = v + 1, end = v + 1 + items[v]; k < end; k++) list.push(items[k]);
          x = list;
          break;
        }
        default:
          x = structuredClone(this.others.get(v));
      }
      // defineProperty: a `__proto__` key stays a key, as JSON.parse makes it.
      if (key === "__proto__") Object.defineProperty(out, key, { value: x, enumerable: true, writable: true, configurable: true });
      else out[key] = x;
    }
    return out;
  }

  /** Whether some row has `key`. */
  has(key: string): boolean {
    return this.columns.has(key);
  }

  /** The number under `key` of every row, if every row has a finite number there; else undefined. */
  numbers(key: string): Float64Array | undefined {
    const c = this.columns.get(key);
    const n = this.count;
    if (c === undefined) return n === 0 ? new Float64Array(0) : undefined;
    if (c.count < n) return undefined;
    for (let i = 0; i < n; i++) if (c.kind[i] !== NUMBER || !Number.isFinite(c.value[i])) return undefined;
    return c.value.slice(0, n);
  }
}

function allNumbers(v: unknown[]): boolean {
  for (let k = 0; k < v.length; k++) if (typeof v[k] !== "number") return false;
  return true;
}

function sameKeys(keys: string[], shape: string[] | undefined): boolean {
  if (shape === undefined || shape.length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== shape[i]) return false;
  return true;
}
