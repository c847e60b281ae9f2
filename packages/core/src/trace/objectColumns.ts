import { Grow } from "./growArray.js";

// What a row holds under a key (0: the row has no such key).
const ABSENT = 0;
const NUMBER = 1;
const STRING = 2;
const TRUE = 3;
const FALSE = 4;
const NULL = 5;
const OTHER = 6;

interface Column {
  kind: Grow<Uint8Array>;
  /** The number, or the string's index in `strings`, or the row's key in `others`. */
  value: Grow<Float64Array>;
}

/**
 * Many small JSON objects (a trace's buffers or events) kept as columns, one per key, and given
 * back equal, keys in their order: about 9 bytes per field instead of an object's 50 or more.
 * Strings are kept once each (interned); arrays and objects as they are, in a side table.
 */
export class ObjectColumns {
  private readonly columns = new Map<string, Column>();
  private readonly shapes: string[][] = [];
  /** Each key order's columns, in its order. */
  private readonly shapeColumns: Column[][] = [];
  private readonly shapeIds = new Map<string, number>();
  private readonly shape = new Grow(Uint16Array, 1024);
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly others = new Map<number, unknown>();
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
   * array from call to call when the order repeats): what `add` keeps of an object with those keys
   * and values, without the object.
   */
  addValues(keys: string[], values: ArrayLike<unknown>): void {
    const row = this.shape.count;
    let id = this.lastShape;
    if (this.shapes[id] !== keys && !sameKeys(keys, this.shapes[id])) id = this.shapeOf(keys);
    this.lastShape = id;
    this.shape.push(id);
    const columns = this.shapeColumns[id];
    for (let j = 0; j < keys.length; j++) this.addField(columns[j], row, values[j]);
  }

  /** The id of a key order, given one if it is new. */
  private shapeOf(keys: string[]): number {
    const sig = keys.join("\u0000");
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
      c = { kind: new Grow(Uint8Array, 1024), value: new Grow(Float64Array, 1024) };
      this.columns.set(key, c);
    }
    return c;
  }

  private addFields(o: Record<string, unknown>, keys: string[], columns: Column[], row: number): void {
    for (let j = 0; j < keys.length; j++) this.addField(columns[j], row, o[keys[j]]);
  }

  /** Value `v` as row `row` of column `c` (rows before it that lack the key are filled in). */
  private addField(c: Column, row: number, v: unknown): void {
    while (c.kind.count < row) {
      c.kind.push(ABSENT);
      c.value.push(0);
    }
    if (typeof v === "number") {
      c.kind.push(NUMBER);
      c.value.push(v);
    } else if (typeof v === "string") {
      let s = this.stringIds.get(v);
      if (s === undefined) {
        s = this.strings.length;
        this.strings.push(v);
        this.stringIds.set(v, s);
      }
      c.kind.push(STRING);
      c.value.push(s);
    } else if (v === true || v === false || v === null) {
      c.kind.push(v === true ? TRUE : v === false ? FALSE : NULL);
      c.value.push(0);
    } else {
      const k = this.otherCount++;
      this.others.set(k, v);
      c.kind.push(OTHER);
      c.value.push(k);
    }
  }

  /** Row `i` as a new object, equal to the one added. */
  get(i: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.shapes[this.shape.items[i]]) {
      const c = this.columns.get(key)!;
      const v = c.value.items[i];
      let x: unknown;
      switch (c.kind.items[i]) {
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
    if (c.kind.count < n) return undefined;
    for (let i = 0; i < n; i++) if (c.kind.items[i] !== NUMBER || !Number.isFinite(c.value.items[i])) return undefined;
    return c.value.items.slice(0, n);
  }
}

function sameKeys(keys: string[], shape: string[] | undefined): boolean {
  if (shape === undefined || shape.length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== shape[i]) return false;
  return true;
}
