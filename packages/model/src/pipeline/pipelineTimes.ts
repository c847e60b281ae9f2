import type { PipelineStep } from "./pipelineSchedule.js";

/** When one pass of a stage runs, in units of one forward pass of one model chunk. */
export interface PassTime {
  start: number;
  end: number;
}

export interface PipelineTimesOptions {
  /** Duration of a chunk's forward pass. @defaultValue 1 */
  forward?: number;
  /**
   * Duration of a chunk's backward pass. @defaultValue 2 (a backward computes gradients of inputs
   * and of weights: about twice a forward's work, the assumption of Narayanan et al. 2021 sec. 2)
   */
  backward?: number;
}

/**
 * The time each pass of `order` (`pipelineSchedule`'s output) starts and ends when every stage runs
 * its passes in order, as soon as the pass it waits for is done: a forward waits for the same
 * microbatch's forward on the previous stage (on stage 0, chunk c > 0 waits for chunk c - 1 on the last
 * stage), a backward for the same microbatch's backward on the next stage (on the last stage, chunk
 * c < V - 1 waits for chunk c + 1 on stage 0). Communication is free. The bubbles of a schedule are the gaps.
 */
export function pipelineTimes(order: PipelineStep[][], options: PipelineTimesOptions = {}): PassTime[][] {
  const fwd = options.forward ?? 1;
  const bwd = options.backward ?? 2;
  const pp = order.length;
  const V = Math.max(1, ...order.flat().map((s) => s.chunk + 1));
  const done = new Map<string, number>();
  const key = (stage: number, s: Pick<PipelineStep, "microbatch" | "pass" | "chunk">) => `${stage}:${s.pass}:${s.microbatch}:${s.chunk}`;
  const out: PassTime[][] = order.map(() => []);
  const clock = new Array<number>(pp).fill(0);
  const next = new Array<number>(pp).fill(0);
  const total = order.reduce((n, s) => n + s.length, 0);
  let finished = 0;
  while (finished < total) {
    let progress = false;
    for (let i = 0; i < pp; i++) {
      while (next[i] < order[i].length) {
        const s = order[i][next[i]];
        let dep: string | null = null;
        if (s.pass === "forward") {
          if (i > 0) dep = key(i - 1, s);
          else if (s.chunk > 0) dep = key(pp - 1, { ...s, chunk: s.chunk - 1 });
        } else {
          if (i < pp - 1) dep = key(i + 1, s);
          else if (s.chunk < V - 1) dep = key(0, { ...s, chunk: s.chunk + 1 });
        }
        const ready = dep === null ? 0 : done.get(dep);
        if (ready === undefined) break;
        const start = Math.max(clock[i], ready);
        const end = start + (s.pass === "forward" ? fwd : bwd);
        out[i].push({ start, end });
        done.set(key(i, s), end);
        clock[i] = end;
        next[i]++;
        finished++;
        progress = true;
      }
    }
    if (!progress) throw new Error("pipelineTimes: the schedule deadlocks (a pass waits for one that never runs before it)");
  }
  return out;
}
