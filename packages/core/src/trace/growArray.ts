/** A typed array that grows by half as items are pushed. */
export class Grow<A extends Float64Array | Int32Array | Uint8Array | Uint16Array> {
  items: A;
  count = 0;
  constructor(private readonly make: new (n: number) => A, capacity: number) {
    this.items = new make(Math.max(16, capacity));
  }
  push(v: number) {
    if (this.count === this.items.length) {
      const grown = new this.make(Math.ceil(this.items.length * 1.5));
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.count++] = v;
  }
  /** The items, in an array of their exact length (a copy unless it is full). */
  trim(): A {
    const out = this.count === this.items.length ? this.items : (this.items.slice(0, this.count) as A);
    this.release();
    return out;
  }
  release() {
    this.items = new this.make(0);
  }
}

