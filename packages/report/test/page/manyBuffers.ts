import { parseTrace, PLAN_PROGRESS_EVERY, traceBuilder, type Trace } from "@hbmscope/core";

/** A trace of `buffers` buffers (more than two of the planned arena's progress steps), lifetimes overlapping. */
export function manyBuffers(buffers = 2 * PLAN_PROGRESS_EVERY + 123): Trace {
  const b = traceBuilder();
  const live: number[] = [];
  for (let i = 0; i < buffers; i++) {
    live.push(b.alloc({ bytes: 64 + ((i * 7919) % 4096), category: "activation" }));
    if (i % 3 === 2) b.free(live.splice(i % live.length, 1)[0]);
  }
  return parseTrace(b.build());
}
