/** Median wall time in ms of `runs` runs of `fn` after one warm-up run. */
export function measure(fn: () => unknown, { runs = 5 } = {}): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Prints one benchmark line: time, throughput and the target it is checked against. */
export function report(name: string, ms: number, events?: number, targetPerSecond?: number) {
  let line = `${name}: ${ms.toFixed(1)} ms`;
  if (events) {
    const rate = (events / ms) * 1000;
    line += `, ${(rate / 1e6).toFixed(1)}M events/s`;
    if (targetPerSecond) line += ` (target ${(targetPerSecond / 1e6).toFixed(0)}M/s: ${rate >= targetPerSecond ? "met" : "MISSED"})`;
  }
  console.log(line);
}
