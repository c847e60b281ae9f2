import { eventPhases, type Trace } from "@hbmscope/core";

/** Where each phase of a trace runs: from its first event to its last (inclusive), by name. */
export function phaseSpans(trace: Trace): { phase: string; first: number; last: number }[] {
  const { names, ofEvent } = eventPhases(trace);
  const spans = names.map((phase) => ({ phase, first: -1, last: -1 }));
  for (let i = 0; i < ofEvent.length; i++) {
    const s = spans[ofEvent[i]];
    if (s.first < 0) s.first = i;
    s.last = i;
  }
  return spans.filter((s) => s.first >= 0 && s.phase !== "");
}

/**
 * Aligns run `b` to run `a` by phase: a monotone piecewise-linear map from positions in `b` (event
 * index, 0..lengthB) to positions in `a` (0..lengthA) that sends each phase both runs have onto the
 * same phase of `a` (start to start, end to end). Phases out of order between the runs are skipped.
 * Returns the knots, increasing in both coordinates; `alignAt` and `alignInverse` evaluate them.
 */
export function phaseAlignment(a: Trace, b: Trace): { b: number[]; a: number[] } {
  const spansA = phaseSpans(a);
  const spansB = new Map(phaseSpans(b).map((s) => [s.phase, s]));
  const lengthA = eventPhases(a).ofEvent.length;
  const lengthB = eventPhases(b).ofEvent.length;
  const knots = { b: [0], a: [0] };
  const push = (xb: number, xa: number) => {
    if (xb > knots.b[knots.b.length - 1] && xa > knots.a[knots.a.length - 1] && xb < lengthB && xa < lengthA) {
      knots.b.push(xb);
      knots.a.push(xa);
    }
  };
  for (const sa of spansA) {
    const sb = spansB.get(sa.phase);
    if (!sb) continue;
    push(sb.first, sa.first);
    push(sb.last + 1, sa.last + 1);
  }
  knots.b.push(Math.max(lengthB, knots.b[knots.b.length - 1] + 1));
  knots.a.push(Math.max(lengthA, knots.a[knots.a.length - 1] + 1));
  return knots;
}

/** Evaluates knots (increasing `from`) at `x`, linearly between them, clamped at the ends. */
export function alignAt(from: number[], to: number[], x: number): number {
  if (x <= from[0]) return to[0];
  let lo = 0;
  let hi = from.length - 1;
  if (x >= from[hi]) return to[hi];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (from[mid] <= x) lo = mid;
    else hi = mid;
  }
  return to[lo] + ((x - from[lo]) / (from[hi] - from[lo])) * (to[hi] - to[lo]);
}
