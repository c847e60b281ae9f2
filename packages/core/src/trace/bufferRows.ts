import { FlatObjectScanner } from "../json/flatObjectScanner.js";
import { ObjectColumns } from "./objectColumns.js";

/** The fields `TraceValidator.bufferFields` takes, in its order. */
export const BUFFER_FIELDS = ["id", "bytes", "category", "view", "kernelTemp", "dtype", "op", "scope", "phase", "shape"];
const PHASE = BUFFER_FIELDS.indexOf("phase");

/**
 * A trace's buffers as `readTraceSource` reads them, one at a time: their rows kept as columns
 * (`keep`), or only what tells two reads of them apart (their count, and sums over their ids and
 * sizes, each weighted by position), and whether any has a `phase`. Buffers come either from a
 * `FlatObjectScanner` (`scanned`: the text as hbmscope writes it, no object made) or as objects.
 */
export class BufferRows {
  /** The rows, when kept. */
  readonly columns: ObjectColumns | undefined;
  readonly scanner = new FlatObjectScanner();
  count = 0;
  private idSum = 0;
  private bytesSum = 0;
  /** Whether some buffer has a `phase` key. */
  hasPhase = false;
  /** Per key order of the scanner (by its id): where each of BUFFER_FIELDS is among its keys, or -1. */
  private readonly slotsOf: Int32Array[] = [];

  constructor(keep: boolean) {
    this.columns = keep ? new ObjectColumns() : undefined;
  }

  /** Where each of BUFFER_FIELDS is among the keys of the scanner's last object, or -1. */
  slots(): Int32Array {
    const order = this.scanner.order!;
    let slots = this.slotsOf[order.id];
    if (slots === undefined) slots = this.slotsOf[order.id] = Int32Array.from(BUFFER_FIELDS, (key) => order.keys.indexOf(key));
    return slots;
  }

  /** The value of field `f` of BUFFER_FIELDS in the scanner's last object (`slots` its positions), or undefined. */
  field(slots: Int32Array, f: number): unknown {
    return slots[f] < 0 ? undefined : this.scanner.values[slots[f]];
  }

  /** Keeps the scanner's last object (`slots`: where BUFFER_FIELDS are among its keys). */
  addScanned(slots: Int32Array): void {
    if (this.columns) this.columns.addValues(this.scanner.order!.keys, this.scanner.values);
    if (slots[PHASE] >= 0) this.hasPhase = true;
    this.note(this.field(slots, 0), this.field(slots, 1));
  }

  /** Keeps a buffer read as an object. */
  addObject(b: Record<string, unknown>): void {
    if (this.columns) this.columns.add(b);
    if (Object.prototype.hasOwnProperty.call(b, "phase")) this.hasPhase = true;
    this.note(b.id, b.bytes);
  }

  /** Whether `other` read the same buffers, as far as the count and the sums tell. */
  sameAs(other: BufferRows): boolean {
    return other.count === this.count && Object.is(other.idSum, this.idSum) && Object.is(other.bytesSum, this.bytesSum) && other.hasPhase === this.hasPhase;
  }

  private note(id: unknown, bytes: unknown): void {
    const w = (this.count++ % 1021) + 1;
    this.idSum += w * (id as number);
    this.bytesSum += w * (bytes as number);
  }
}
