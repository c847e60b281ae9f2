import type { TraceCounter } from "../trace/trace.js";

/** What the log readers (`parseSmiCsv`, `parseTorchMemoryLog`) return: plain data for a trace's `counters`. */
export interface CounterLog {
  /** One series per device and quantity, devices in increasing order. */
  counters: TraceCounter[];
  /** The first sample's wall-clock time as the log wrote it (`2024/05/01 12:00:00.123`, ISO 8601), when the log has times. */
  startedAt?: string;
  /** Number of lines read as samples. */
  lines: number;
}

/** Collects samples into series keyed by device and name, in first-seen order sorted by device. */
export class CounterCollector {
  private readonly series = new Map<string, TraceCounter>();

  add(device: number, name: string, time: number, bytes: number, capacity?: number): void {
    const key = `${device}\u0000${name}`;
    let c = this.series.get(key);
    if (!c) {
      c = { name, device, unit: "bytes", samples: [] };
      this.series.set(key, c);
    }
    if (capacity !== undefined) c.capacity = capacity;
    c.samples.push([time, bytes]);
  }

  /** Last sample time of a series (or -Infinity). */
  lastTime(device: number, name: string): number {
    const s = this.series.get(`${device}\u0000${name}`)?.samples;
    return s && s.length ? s[s.length - 1][0] : -Infinity;
  }

  counters(): TraceCounter[] {
    return [...this.series.values()].sort((a, b) => a.device - b.device);
  }
}

/** A line for an error message: short, quoted. */
export function quoteLine(line: string): string {
  return JSON.stringify(line.length > 60 ? line.slice(0, 60) + "…" : line);
}
