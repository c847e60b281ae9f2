import { PHASES, type Trace } from "../trace/trace.js";
import { bufferAt, bufferCount, eventCount, hasBufferPhases } from "../trace/lazyTrace.js";
import { traceColumns } from "../trace/traceColumns.js";

const knownPhases = new Set<string>(PHASES);

/** A mark that starts a phase: `kind: "phase"`, or no kind and a label naming a known phase. */
export function isPhaseMark(mark: { label: string; kind?: string }): boolean {
  return mark.kind === "phase" || (mark.kind === undefined && knownPhases.has(mark.label));
}

/**
 * The phase of every event: the label of the last phase mark at or before it; where no phase
 * mark precedes an event, the phase of the buffer it allocates or frees (or `""`).
 * Returns the phase names and, per event, an index into them.
 */
export function eventPhases(trace: Trace): { names: string[]; ofEvent: Uint16Array } {
  const { names, intern } = interner();
  const ne = eventCount(trace);
  const ofEvent = new Uint16Array(ne);
  const marks = trace.marks.filter(isPhaseMark).sort((a, b) => a.at - b.at);
  if (marks.length > 0) {
    let m = -1;
    let current = intern("");
    for (let i = 0; i < ne; i++) {
      while (m + 1 < marks.length && marks[m + 1].at <= i) current = intern(marks[++m].label);
      ofEvent[i] = current;
    }
    if (marks[0].at === 0 && names[0] === "" && !ofEvent.includes(0)) {
      names.splice(0, 1);
      for (let i = 0; i < ne; i++) ofEvent[i]--;
    }
    return { names, ofEvent };
  }
  const { eventBuffer } = traceColumns(trace);
  const bufferPhase = new Uint16Array(bufferCount(trace));
  if (hasBufferPhases(trace)) for (let b = 0; b < bufferPhase.length; b++) bufferPhase[b] = intern(bufferAt(trace, b).phase ?? "");
  else if (bufferPhase.length > 0) intern("");
  for (let i = 0; i < ne; i++) ofEvent[i] = bufferPhase[eventBuffer[i]];
  return { names, ofEvent };
}

/**
 * The phases of a trace as runs of consecutive events: run `r` covers events
 * `starts[r]` .. `starts[r + 1] - 1` (the last run ends at the last event) in phase `names[phase[r]]`.
 * With phase marks there are only as many runs as marks, and no per-event array is built.
 */
export function phaseRuns(trace: Trace): { names: string[]; starts: Int32Array; phase: Uint16Array } {
  const ne = eventCount(trace);
  const marks = trace.marks.filter(isPhaseMark).sort((a, b) => a.at - b.at);
  const { names, intern } = interner();
  const starts: number[] = [];
  const phase: number[] = [];
  const push = (start: number, p: number) => {
    if (start >= ne) return;
    if (starts.length > 0 && starts[starts.length - 1] === start) phase[phase.length - 1] = p;
    else if (phase.length > 0 && phase[phase.length - 1] === p) return;
    else {
      starts.push(start);
      phase.push(p);
    }
  };
  if (marks.length > 0) {
    if (marks[0].at > 0) push(0, intern(""));
    for (const m of marks) push(m.at, intern(m.label));
  } else {
    const { names: n, ofEvent } = eventPhases(trace);
    for (const name of n) intern(name);
    for (let i = 0; i < ne; i++) if (i === 0 || ofEvent[i] !== ofEvent[i - 1]) push(i, ofEvent[i]);
  }
  // Drop names no run uses (a phase mark immediately overridden by another at the same event).
  const used = [...new Set(phase)].sort((a, b) => a - b);
  const remap = new Map(used.map((p, k) => [p, k]));
  return { names: used.map((p) => names[p]), starts: Int32Array.from(starts), phase: Uint16Array.from(phase, (p) => remap.get(p)!) };
}

/** Names numbered in order of first sight. */
function interner(): { names: string[]; intern: (name: string) => number } {
  const names: string[] = [];
  const id = new Map<string, number>();
  const intern = (name: string) => {
    let k = id.get(name);
    if (k === undefined) {
      k = names.length;
      names.push(name);
      id.set(name, k);
    }
    return k;
  };
  return { names, intern };
}
