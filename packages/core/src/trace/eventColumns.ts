import { ObjectColumns } from "./objectColumns.js";
import type { TraceEvent } from "./trace.js";

// What `flags` holds of a plain event.
const ALLOC = 1;
const TIMED = 2;

/**
 * A trace's events kept as columns for `readTraceSource`. Plain events, `{kind, buffer}` or
 * `{kind, buffer, time}` in that order with nothing else (what hbmscope writes), cost 17 bytes
 * each in three typed arrays; from the first event of any other form on, every event is kept in an
 * `ObjectColumns` (those before it moved there), so any event comes back equal, keys in order.
 */
export class EventColumns {
  private flags = new Uint8Array(1024);
  private buffer = new Float64Array(1024);
  private time = new Float64Array(1024);
  private plain = 0;
  /** Every event, once one was not plain. */
  private objects: ObjectColumns | undefined;

  /** Events kept. */
  get count(): number {
    return this.objects === undefined ? this.plain : this.objects.count;
  }

  /** Keeps a plain event: `time` NaN when it has none. */
  addPlain(alloc: boolean, buffer: number, time: number): void {
    const flags = (alloc ? ALLOC : 0) | (time === time ? TIMED : 0);
    if (this.objects !== undefined) {
      this.objects.add(plainEvent(flags, buffer, time));
      return;
    }
    if (this.plain === this.flags.length) this.grow();
    this.flags[this.plain] = flags;
    this.buffer[this.plain] = buffer;
    this.time[this.plain++] = time;
  }

  /** Keeps any event (a JSON object, as JSON.parse makes them). */
  add(o: Record<string, unknown>): void {
    if (this.objects === undefined) {
      const objects = new ObjectColumns();
      for (let i = 0; i < this.plain; i++) objects.add(this.get(i));
      this.objects = objects;
      this.flags = this.flags.subarray(0, 0);
      this.buffer = this.buffer.subarray(0, 0);
      this.time = this.time.subarray(0, 0);
    }
    this.objects.add(o);
  }

  /** Event `i` as a new object, equal to the one kept. */
  get(i: number): TraceEvent {
    if (this.objects !== undefined) return this.objects.get(i) as TraceEvent;
    return plainEvent(this.flags[i], this.buffer[i], this.time[i]);
  }

  /** Every event's time, if every event has one (a finite number); else undefined. */
  times(): Float64Array | undefined {
    if (this.objects !== undefined) return this.objects.numbers("time");
    const n = this.plain;
    for (let i = 0; i < n; i++) if (!(this.flags[i] & TIMED) || !Number.isFinite(this.time[i])) return undefined;
    return this.time.slice(0, n);
  }

  private grow(): void {
    const n = this.flags.length * 2;
    const flags = new Uint8Array(n);
    flags.set(this.flags);
    const buffer = new Float64Array(n);
    buffer.set(this.buffer);
    const time = new Float64Array(n);
    time.set(this.time);
    this.flags = flags;
    this.buffer = buffer;
    this.time = time;
  }
}

function plainEvent(flags: number, buffer: number, time: number): TraceEvent {
  const kind = flags & ALLOC ? "alloc" : "free";
  return flags & TIMED ? { kind, buffer, time } : { kind, buffer };
}
