import type { TraceCounter } from "../trace/trace.js";

/** The largest sample of a series: its value in bytes, time in ms and index; `index` -1 for no samples. */
export interface CounterPeak {
  bytes: number;
  time: number;
  index: number;
}

/** The peak of a counter series (the first sample with the largest value). */
export function counterPeak(counter: TraceCounter): CounterPeak {
  let index = -1;
  let bytes = 0;
  counter.samples.forEach(([, v], k) => {
    if (index < 0 || v > bytes) {
      index = k;
      bytes = v;
    }
  });
  return { bytes, time: index < 0 ? 0 : counter.samples[index][0], index };
}
