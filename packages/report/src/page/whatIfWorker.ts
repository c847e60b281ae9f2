import type { ReplayRun, Trace } from "@hbmscope/core";
import type { DecodedReportData } from "../decodeReportData.js";
import { traceFromReportData } from "../traceFromReportData.js";
import { whatIf } from "../whatIf.js";
import { warmUpWhatIf } from "./warmUpWhatIf.js";

/** A what-if: the allocator (one of `REPORT_ALLOCATORS`), the card's capacity (bytes or null) and the reserve held outside the allocator (bytes). */
export interface WhatIfJob {
  allocator: string;
  capacity: number | null;
  reserve: number;
}

/** What the page posts to its worker: the run's decoded columns once, then replays by id. */
export type WhatIfRequest = { kind: "init"; data: DecodedReportData } | { kind: "replay"; id: number; job: WhatIfJob };

/**
 * What the worker posts back for a replay: the run (its arrays transferred) and the replay's time
 * in ms, or the error's message; before them, for a planned arena that takes a while, how far its
 * plan is (`progress`, 0 to 1, at most every `PROGRESS_EVERY_MS`).
 */
export type WhatIfReply = { id: number; run: ReplayRun; ms: number } | { id: number; error: string; ms: number } | { id: number; progress: number };

/** The least time between two progress messages, ms. */
export const PROGRESS_EVERY_MS = 100;

/** The part of a worker's global scope `serveWhatIf` uses (a DedicatedWorkerGlobalScope in the page; a stand-in in tests). */
export interface WhatIfScope {
  addEventListener(type: "message", listener: (event: { data: WhatIfRequest }) => void): void;
  postMessage(message: WhatIfReply, transfer: Transferable[]): void;
}

/**
 * The report's Web Worker: keeps the trace built from the `init` message's columns and answers each
 * `replay` with `whatIf` (core's replay, the numbers `hbmscope replay --json` gives), posting the
 * run with its typed arrays transferred (moved, not copied) and the time the replay took; before
 * it, while a planned arena is planned, how far the plan is, at most every `progressEveryMs`
 * (@defaultValue `PROGRESS_EVERY_MS`, 100 ms). A replay that throws answers with the error's
 * message. After its first answer, the worker warms the replay up for every allocator
 * (`warmUpWhatIf`).
 */
export function serveWhatIf(scope: WhatIfScope, progressEveryMs = PROGRESS_EVERY_MS): void {
  let trace: Trace | undefined;
  let own = new Set<ArrayBufferLike>();
  let warm = false;
  scope.addEventListener("message", ({ data: message }) => {
    if (message.kind === "init") {
      trace = traceFromReportData(message.data);
      const c = message.data.columns;
      own = new Set([c.bytes.buffer, c.category.buffer, c.views.buffer, c.eventBuffer.buffer, c.eventAlloc.buffer]);
      return;
    }
    const t0 = performance.now();
    try {
      if (!trace) throw new Error("serveWhatIf: a replay came before the trace (post { kind: \"init\" } first)");
      const { allocator, capacity, reserve } = message.job;
      const id = message.id;
      let last = t0;
      const run = whatIf(trace, allocator, capacity, reserve, (placed, total) => {
        const now = performance.now();
        if (placed >= total || now - last < progressEveryMs) return;
        last = now;
        scope.postMessage({ id, progress: placed / total }, []);
      });
      scope.postMessage({ id: message.id, run, ms: performance.now() - t0 }, transferables(run, own));
    } catch (err) {
      scope.postMessage({ id: message.id, error: (err as Error).message ?? String(err), ms: performance.now() - t0 }, []);
    }
    // Once the first answer is on its way, the replay is warmed up for every other allocator
    // (`warmUpWhatIf`), while the page draws: later what-ifs then run optimised code from the start.
    if (!warm) {
      warm = true;
      warmUpWhatIf();
    }
  });
}

/** The buffers of a run's typed arrays, but those of the trace's own columns (the worker keeps reading them). */
function transferables(run: ReplayRun, keep: Set<ArrayBufferLike>): Transferable[] {
  const out = new Set<ArrayBuffer>();
  for (const value of Object.values(run)) {
    if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer && !keep.has(value.buffer)) out.add(value.buffer);
  }
  return [...out];
}
