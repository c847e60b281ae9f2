import { parseTrace, PLAN_PROGRESS_EVERY, traceBuilder } from "@hbmscope/core";
import { manyBuffers } from "./manyBuffers.js";
import { describe, expect, it } from "vitest";
import { decodeReportData } from "../../src/decodeReportData.js";
import { reportData } from "../../src/reportData.js";
import { serveWhatIf, type WhatIfReply, type WhatIfRequest } from "../../src/page/whatIfWorker.js";
import { whatIf } from "../../src/whatIf.js";

/** serveWhatIf on a stand-in scope: messages go through structuredClone (with the transfers), as between threads. */
function served(progressEveryMs?: number) {
  let listener: ((e: { data: WhatIfRequest }) => void) | undefined;
  const replies: WhatIfReply[] = [];
  serveWhatIf(
    {
      addEventListener: (_type, l) => void (listener = l),
      postMessage: (message, transfer) => void replies.push(structuredClone(message, { transfer })),
    },
    progressEveryMs,
  );
  return { post: (m: WhatIfRequest) => listener!({ data: structuredClone(m) }), replies };
}

const trace = () => {
  const b = traceBuilder();
  b.mark("forward");
  const w = b.alloc({ bytes: 3 << 20, category: "weight", op: "init" });
  const a = b.alloc({ bytes: 5000, category: "activation", op: "MatMul" });
  b.free(b.alloc({ bytes: 1 << 21, category: "temporary", op: "Softmax" }));
  b.free(a);
  b.free(w);
  return parseTrace(b.build());
};

describe("serveWhatIf", () => {
  it("serveWhatIf() posts how far a planned arena's plan is before the run, for planned only", () => {
    const t = manyBuffers();
    const s = served(0);
    s.post({ kind: "init", data: decodeReportData(reportData(t)) });
    s.post({ kind: "replay", id: 7, job: { allocator: "planned", capacity: null, reserve: 0 } });
    const total = 2 * PLAN_PROGRESS_EVERY + 123;
    expect(s.replies.slice(0, 2)).toEqual([
      { id: 7, progress: PLAN_PROGRESS_EVERY / total },
      { id: 7, progress: (2 * PLAN_PROGRESS_EVERY) / total },
    ]);
    expect(s.replies[2]).toMatchObject({ id: 7, run: { peaks: whatIf(t, "planned").peaks } });
    s.post({ kind: "replay", id: 8, job: { allocator: "bfc", capacity: null, reserve: 0 } });
    expect(s.replies.slice(3).map((r) => Object.keys(r).sort())).toEqual([["id", "ms", "run"]]);
  });

  it("serveWhatIf() answers each replay with whatIf's run, its arrays moved, the trace's columns kept", () => {
    const t = trace();
    const s = served();
    s.post({ kind: "init", data: decodeReportData(reportData(t)) });
    for (const [id, allocator] of ["ideal", "caching", "caching+expandable", "bfc", "planned", "ideal"].entries()) {
      s.post({ kind: "replay", id, job: { allocator, capacity: null, reserve: 0 } });
      const reply = s.replies[id];
      expect(reply.id).toBe(id);
      if (!("run" in reply)) throw new Error(JSON.stringify(reply));
      const want = whatIf(t, allocator);
      expect([reply.run.peaks, Array.from(reply.run.reserved), reply.run.oom]).toEqual([want.peaks, Array.from(want.reserved), want.oom]);
      expect(reply.ms).toBeGreaterThanOrEqual(0);
    }
  });

  it("serveWhatIf() answers an OOM with the OOM report, and a bad allocator or a replay before init with an error naming it", () => {
    const t = trace();
    const s = served();
    s.post({ kind: "replay", id: 1, job: { allocator: "bfc", capacity: null, reserve: 0 } });
    expect(s.replies[0]).toMatchObject({ id: 1, error: expect.stringContaining("serveWhatIf: a replay came before the trace") });
    s.post({ kind: "init", data: decodeReportData(reportData(t)) });
    s.post({ kind: "replay", id: 2, job: { allocator: "lru", capacity: null, reserve: 0 } });
    expect(s.replies[1]).toMatchObject({ id: 2, error: expect.stringContaining('whatIf: unknown allocator "lru"') });
    s.post({ kind: "replay", id: 3, job: { allocator: "caching", capacity: 4 << 20, reserve: 1 << 20 } });
    const reply = s.replies[2];
    if (!("run" in reply)) throw new Error(JSON.stringify(reply));
    expect(reply.run.oom?.index).toBe(whatIf(t, "caching", 4 << 20, 1 << 20).oom?.index);
    expect(reply.run.oom).not.toBeNull();
  });
});
