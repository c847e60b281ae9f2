import { traceBuilder, type Trace } from "@hbmscope/core";

/** A trace from steps: `{ alloc: bytes }` adds an activation, `{ free: k }` frees the k-th alloc, `{ mark }` adds a mark. */
export function stepTrace(steps: ({ alloc: number } | { free: number } | { mark: string })[]): Trace {
  const b = traceBuilder({ source: "test" });
  const ids: number[] = [];
  for (const s of steps) {
    if ("alloc" in s) ids.push(b.alloc({ bytes: s.alloc, category: "activation" }));
    else if ("free" in s) b.free(ids[s.free]);
    else b.mark(s.mark);
  }
  return b.build();
}
