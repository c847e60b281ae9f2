import type { PerfettoTrace } from "@hbmscope/core";

/**
 * The checks of the Trace Event Format (Google, "Trace Event Format" document; what
 * chrome://tracing and Perfetto's JSON importer accept): a `traceEvents` array of objects with a
 * string `name`, a known `ph`, integer `pid`/`tid`, numeric non-negative `ts` (µs) on non-metadata
 * events, `dur` >= 0 on complete events, numeric `args` on counters, scope g/p/t on instants;
 * and, for Perfetto, counter timestamps that never go back within one counter.
 */
export function traceEventFormatErrors(doc: unknown): string[] {
  const errors: string[] = [];
  const d = doc as PerfettoTrace;
  if (d === null || typeof d !== "object" || !Array.isArray(d.traceEvents)) return ["no traceEvents array"];
  if (d.displayTimeUnit !== undefined && !["ms", "ns"].includes(d.displayTimeUnit)) errors.push("displayTimeUnit must be ms or ns");
  const lastCounterTs = new Map<string, number>();
  d.traceEvents.forEach((e, i) => {
    const at = `traceEvents[${i}]`;
    if (typeof e.name !== "string") errors.push(`${at}: name is not a string`);
    if (!["B", "E", "X", "i", "I", "C", "M", "b", "e", "n", "s", "t", "f", "P", "O", "N", "D"].includes(e.ph)) errors.push(`${at}: unknown ph ${e.ph}`);
    if (!Number.isInteger(e.pid)) errors.push(`${at}: pid is not an integer`);
    if (e.tid !== undefined && !Number.isInteger(e.tid)) errors.push(`${at}: tid is not an integer`);
    if (e.ph !== "M" && !(typeof e.ts === "number" && Number.isFinite(e.ts) && e.ts >= 0)) errors.push(`${at}: ts must be a non-negative number`);
    if (e.ph === "X" && !(typeof e.dur === "number" && e.dur >= 0)) errors.push(`${at}: complete event without dur >= 0`);
    if (e.ph === "i" && e.s !== undefined && !["g", "p", "t"].includes(e.s)) errors.push(`${at}: instant scope ${e.s}`);
    if (e.ph === "C") {
      if (!e.args || Object.keys(e.args).length === 0) errors.push(`${at}: counter without args`);
      for (const [k, v] of Object.entries(e.args ?? {})) if (typeof v !== "number" || !Number.isFinite(v)) errors.push(`${at}: counter arg ${k} is not a number`);
      const last = lastCounterTs.get(e.name) ?? -Infinity;
      if ((e.ts as number) < last) errors.push(`${at}: counter ${e.name} goes back in time`);
      lastCounterTs.set(e.name, e.ts as number);
    }
    if (e.ph === "M" && !(e.args && typeof e.args.name === "string")) errors.push(`${at}: metadata without args.name`);
  });
  return errors;
}

