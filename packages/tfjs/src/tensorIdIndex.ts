/**
 * A map from tfjs tensor ids to buffer ids, in a typed array: tfjs numbers tensors in creation order
 * (`Engine.nextTensorId`, tfjs-core/src/engine.ts), so the ids a trace makes form one growing range
 * from the first it sees. Ids below that first one (tensors from before the trace) are never held.
 * In place of a `Map`: no hash, and no entries for a garbage collection to copy.
 */
export class TensorIdIndex {
  private base = -1;
  private values = new Int32Array(1024).fill(-1);

  /** The buffer of tensor `id`, or -1. */
  get(id: number): number {
    const i = id - this.base;
    return this.base < 0 || i < 0 || i >= this.values.length ? -1 : this.values[i];
  }

  set(id: number, buffer: number): void {
    if (this.base < 0) this.base = id;
    let i = id - this.base;
    if (i < 0) {
      // An older id than the first one seen (tfjs ids only grow, so only from a custom engine): move the range down.
      const values = new Int32Array(this.values.length - i).fill(-1);
      values.set(this.values, -i);
      this.values = values;
      this.base = id;
      i = 0;
    }
    if (i >= this.values.length) {
      const values = new Int32Array(Math.max(2 * this.values.length, i + 1)).fill(-1);
      values.set(this.values);
      this.values = values;
    }
    this.values[i] = buffer;
  }

  delete(id: number): void {
    const i = id - this.base;
    if (this.base >= 0 && i >= 0 && i < this.values.length) this.values[i] = -1;
  }
}
