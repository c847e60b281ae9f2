/** Summary of one row over its fresh processes. */
export interface Stats {
  runs: number;
  min: number;
  median: number;
  max: number;
  events?: number;
  /** Median and largest peak RSS, bytes (process rows). */
  rss?: { median: number; max: number };
  /** Median CPU milliseconds (in-process rows). */
  cpu?: number;
  /** Median of the rows' own figure (tfjs). */
  value?: number;
}

export interface Verdict {
  row: string;
  goal: string;
  /** What was measured, with the ratio it is judged on. */
  figure: string;
  met: boolean | "skipped";
}

const MiB = 2 ** 20;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mps = (st: Stats) => (st.events ? (st.events / st.median) * 1000 : 0);

/**
 * Issue 17's goals, each judged on medians measured in the same run (ratios to PyTorch's
 * memory_viz processing or to the limit, JSON.parse + one typed-array pass).
 */
export function verdicts(stats: Map<string, Stats>): Verdict[] {
  const out: Verdict[] = [];
  const get = (name: string) => stats.get(name);
  const ratio = (row: string, to: string) => {
    const a = get(row);
    const b = get(to);
    return a && b ? a.median / b.median : undefined;
  };
  const rssOk = (st: Stats) => (st.rss ? st.rss.max <= 600 * MiB : true);
  const rssText = (st: Stats) => (st.rss ? `, RSS ${(st.rss.median / MiB).toFixed(0)} MiB (max ${(st.rss.max / MiB).toFixed(0)})` : "");

  const snap = get("inspect-snapshot-1m");
  if (snap) {
    const peer = ratio("inspect-snapshot-1m", "peer-snapshot-1m");
    const limit = ratio("inspect-snapshot-1m", "limit-snapshot-1m");
    out.push({
      row: "inspect-snapshot-1m",
      goal: "<= 0.7x PyTorch, RSS <= 600 MiB",
      figure: `${s(snap.median)}${peer !== undefined ? ` = ${peer.toFixed(2)}x PyTorch` : ""}${limit !== undefined ? ` = ${limit.toFixed(2)}x the limit` : ""}${rssText(snap)}`,
      met: peer === undefined ? "skipped" : peer <= 0.7 && rssOk(snap),
    });
  }
  const small = get("inspect-snapshot-100k");
  if (small) {
    const peer = ratio("inspect-snapshot-100k", "peer-snapshot-100k");
    const limit = ratio("inspect-snapshot-100k", "limit-snapshot-100k");
    out.push({
      row: "inspect-snapshot-100k",
      goal: "faster than PyTorch (< 1x)",
      figure: `${s(small.median)}${peer !== undefined ? ` = ${peer.toFixed(2)}x PyTorch` : ""}${limit !== undefined ? ` = ${limit.toFixed(2)}x the limit` : ""}`,
      met: peer === undefined ? "skipped" : peer < 1,
    });
  }
  const trace = get("inspect-trace-3m");
  if (trace) {
    const limit = ratio("inspect-trace-3m", "limit-trace-3m");
    out.push({
      row: "inspect-trace-3m",
      goal: "<= 1.3x the limit, RSS <= 600 MiB",
      figure: `${s(trace.median)}${limit !== undefined ? ` = ${limit.toFixed(2)}x the limit` : ""}${rssText(trace)}`,
      met: limit !== undefined && limit <= 1.3 && rssOk(trace),
    });
  }
  const planned = get("replay-planned-1m");
  if (planned) {
    const limit = ratio("replay-planned-1m", "limit-training-1m");
    out.push({
      row: "replay-planned-1m",
      goal: "<= 1.5 s whole process",
      figure: `${s(planned.median)}${limit !== undefined ? ` = ${limit.toFixed(2)}x the limit` : ""}${rssText(planned)}`,
      met: planned.median <= 1500,
    });
  }
  for (const [name, target] of [
    ["caching-training", 5e6],
    ["expandable-training", 5e6],
    ["bfc-training", 5e6],
    ["caching-adversarial", 3e6],
    ["expandable-adversarial", 3e6],
    ["bfc-adversarial", 3e6],
  ] as const) {
    const st = get(name);
    const byCpu = st?.cpu && st.events ? `; ${((st.events / st.cpu) * 1000 / 1e6).toFixed(2)}M events/s by CPU time` : "";
    // The ideal replay of the same trace (no allocator work): what is left of the goal's time for the allocator itself.
    const floor = get(name.replace(/^[a-z]+-/, "ideal-"));
    const floorText = floor ? `; the replay's floor (ideal) ${(mps(floor) / 1e6).toFixed(2)}M events/s (${floor.median.toFixed(0)} ms)` : "";
    if (st) out.push({ row: name, goal: `>= ${target / 1e6}M events/s (wall)`, figure: `${(mps(st) / 1e6).toFixed(2)}M events/s${byCpu}${floorText}`, met: mps(st) >= target });
  }
  const tfjs = get("tfjs");
  if (tfjs?.value !== undefined) out.push({ row: "tfjs", goal: "traced/untraced CPU <= 1.03", figure: tfjs.value.toFixed(3), met: tfjs.value <= 1.03 });
  return out;
}
