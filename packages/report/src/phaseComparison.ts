/** One phase's peak in two runs, and their difference (bytes); `null` where a run has no such phase. */
export interface PhaseComparisonRow {
  phase: string;
  a: number | null;
  b: number | null;
  /** `b - a`, bytes; null unless both runs have the phase. */
  difference: number | null;
}

/**
 * Two runs' per-phase peaks side by side (the phases of `a` in order, then those only `b` has) and
 * the difference at each (`b - a`), with the whole step last (phase `""`): what a report's
 * comparison shows, as its table and in its plain-text summary.
 */
export function phaseComparison(
  a: { peakBytes: number; phasePeaks: { phase: string; bytes: number }[] },
  b: { peakBytes: number; phasePeaks: { phase: string; bytes: number }[] },
): PhaseComparisonRow[] {
  const pa = new Map(a.phasePeaks.map((p) => [p.phase, p.bytes]));
  const pb = new Map(b.phasePeaks.map((p) => [p.phase, p.bytes]));
  const phases = [...new Set([...pa.keys(), ...pb.keys()])].filter((p) => p !== "");
  const row = (phase: string, va: number | null, vb: number | null): PhaseComparisonRow => ({ phase, a: va, b: vb, difference: va === null || vb === null ? null : vb - va });
  return [...phases.map((p) => row(p, pa.get(p) ?? null, pb.get(p) ?? null)), row("", a.peakBytes, b.peakBytes)];
}
