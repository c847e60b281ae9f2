import { CounterCollector, quoteLine, type CounterLog } from "./counterLog.js";

/** Options of `parseSmiCsv`. */
export interface SmiCsvOptions {
  /**
   * Milliseconds between samples, for logs without a `timestamp` column (a new sample starts when
   * a GPU index comes again). @defaultValue 1000 (what `nvidia-smi -l 1` writes)
   */
  interval?: number;
}

type Column = "timestamp" | "index" | "used" | "total";

const MIB = 2 ** 20;
/** nvidia-smi writes sizes in MiB (`memory.used [MiB]`, or `1234 MiB` without `nounits`). */
const UNITS: Record<string, number> = { b: 1, kib: 2 ** 10, mib: MIB, gib: 2 ** 30 };
const TIMESTAMP = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;
const HEADER_NAMES: Record<string, Column> = { timestamp: "timestamp", index: "index", "memory.used": "used", "memory.total": "total" };
const EXPECTED = `"index, memory.used, memory.total" (nvidia-smi --query-gpu=index,memory.used,memory.total --format=csv,noheader,nounits; a timestamp column first is read too)`;

/**
 * Reads a saved nvidia-smi CSV log (`nvidia-smi --query-gpu=index,memory.used,memory.total
 * --format=csv -l 1 > log.csv`, with or without `noheader` / `nounits`, optionally with a
 * `timestamp` column) into one `used` series per GPU, in bytes, with each GPU's `memory.total` as
 * its capacity. With a header, columns are found by name (others are ignored); without one, 2, 3 or
 * 4 columns mean `index, used[, total]` or `timestamp, index, used, total`. Times are milliseconds
 * from the first timestamp, or `sample number × interval` without timestamps. Blank lines and
 * repeated headers are skipped.
 *
 * @throws Error `parseSmiCsv: line N: ...` for a line that is not such a sample (quoting it).
 */
export function parseSmiCsv(text: string, options: SmiCsvOptions = {}): CounterLog {
  const interval = options.interval ?? 1000;
  if (!(Number.isFinite(interval) && interval > 0)) throw new Error(`parseSmiCsv: interval must be a positive number of milliseconds, got ${interval}`);
  const out = new CounterCollector();
  let columns: Column[] | undefined;
  let units: number[] = [];
  let header: string | undefined;
  let t0: number | undefined;
  let startedAt: string | undefined;
  let sample = 0;
  let seen = new Set<number>();
  let lines = 0;
  const rows = text.split(/\r?\n/);
  for (let n = 0; n < rows.length; n++) {
    const line = rows[n].trim();
    if (line === "" || line === header) continue;
    const fail = (why: string): never => {
      throw new Error(`parseSmiCsv: line ${n + 1}: ${why}, got ${quoteLine(line)}; expected ${EXPECTED}`);
    };
    const fields = line.split(",").map((f) => f.trim());
    if (/memory\.used/i.test(line) && !/^\d/.test(fields[0])) {
      // A header: `timestamp, index, memory.used [MiB], memory.total [MiB]`.
      header = line;
      columns = [];
      units = [];
      fields.forEach((f, k) => {
        const m = /^([\w.]+)\s*(?:\[(\w+)\])?$/.exec(f);
        const col = m ? HEADER_NAMES[m[1].toLowerCase()] : undefined;
        if (col) {
          columns![k] = col;
          units[k] = m![2] ? UNITS[m![2].toLowerCase()] ?? NaN : MIB;
          if (Number.isNaN(units[k])) fail(`unknown unit [${m![2]}] (nvidia-smi writes [MiB])`);
        }
      });
      if (!columns.includes("index") || !columns.includes("used")) fail("a header without index and memory.used columns");
      continue;
    }
    let cols = columns;
    let unit = units;
    if (!cols) {
      cols = fields.length === 4 ? ["timestamp", "index", "used", "total"] : fields.length === 3 ? ["index", "used", "total"] : fields.length === 2 ? ["index", "used"] : fail(`${fields.length} columns`);
      unit = cols.map(() => MIB);
    }
    if (fields.length < cols.length) fail(`${fields.length} columns where the header has ${cols.length}`);
    let index: number | undefined;
    let used: number | undefined;
    let total: number | undefined;
    let stamp: string | undefined;
    for (let k = 0; k < cols.length; k++) {
      const col = cols[k];
      if (!col) continue;
      const f = fields[k];
      if (col === "timestamp") {
        stamp = f;
        continue;
      }
      if (col === "index") {
        if (!/^\d+$/.test(f)) fail(`GPU index ${JSON.stringify(f)} is not a non-negative integer`);
        index = Number(f);
        continue;
      }
      const m = /^(\d+(?:\.\d+)?)(?:\s*(\w+))?$/.exec(f);
      if (!m) fail(`${col === "used" ? "memory.used" : "memory.total"} ${JSON.stringify(f)} is not a number`);
      const scale = m![2] ? UNITS[m![2].toLowerCase()] : unit[k];
      if (scale === undefined) fail(`unknown unit ${JSON.stringify(m![2])} (nvidia-smi writes MiB)`);
      const bytes = Math.round(Number(m![1]) * scale!);
      if (!Number.isSafeInteger(bytes)) fail(`${f} is too large`);
      if (col === "used") used = bytes;
      else total = bytes;
    }
    let time: number;
    if (stamp !== undefined) {
      const ms = parseTimestamp(stamp);
      if (ms === undefined) fail(`timestamp ${JSON.stringify(stamp)} is not like 2024/05/01 12:00:00.123`);
      if (t0 === undefined) {
        t0 = ms!;
        startedAt = stamp;
      }
      time = ms! - t0;
    } else {
      if (seen.has(index!)) {
        sample++;
        seen = new Set();
      }
      seen.add(index!);
      time = sample * interval;
    }
    const last = out.lastTime(index!, "used");
    if (time < last) fail(`GPU ${index}'s time goes back (${time} ms after ${last} ms from the start)`);
    out.add(index!, "used", time, used!, total);
    lines++;
  }
  return { counters: out.counters(), ...(startedAt !== undefined ? { startedAt } : {}), lines };
}

/** Milliseconds of `2024/05/01 12:00:00.123` (nvidia-smi's `timestamp`) or ISO 8601, taken as UTC (only differences count). */
function parseTimestamp(s: string): number | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return undefined;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  return Date.UTC(y, mo - 1, d, h, mi, se) + frac;
}
