import type { ReplayRun, Trace } from "@hbmscope/core";
import type { DecodedReportData } from "../decodeReportData.js";
import { whatIf } from "../whatIf.js";
import type { WhatIfJob, WhatIfReply, WhatIfRequest } from "./whatIfWorker.js";

/** The part of a `Worker` the client uses. */
export interface WorkerLike {
  postMessage(message: WhatIfRequest): void;
  terminate(): void;
  onmessage: ((event: { data: WhatIfReply }) => void) | null;
  onerror: ((event: { message?: string; preventDefault?(): void }) => void) | null;
}

/** The answer to the latest what-if. */
export interface WhatIfAnswer {
  job: WhatIfJob;
  /** The replay; null when it failed (`error`). */
  run: ReplayRun | null;
  error: string | null;
  /** How long the replay itself took, ms (in the worker, or in the page when there is no worker). */
  replayMs: number;
  /** Whether the run came from the cache (asked before with the same allocator, capacity and reserve). */
  cached: boolean;
  /** Whether it ran in a worker (false: on the page's thread, when no worker could start). */
  inWorker: boolean;
}

export interface WhatIfClientOptions {
  /** Starts a worker that runs `serveWhatIf`; null when none can start (the replays then run in the page). */
  makeWorker: () => WorkerLike | null;
  /** Called with the answer to the latest request, never with one a newer request superseded. */
  onAnswer: (answer: WhatIfAnswer) => void;
  /** How many runs to keep for instant answers (each holds about 32 bytes an event). @defaultValue 6 */
  cacheSize?: number;
}

export interface WhatIfClient {
  /**
   * Asks for a what-if: answered at once from the cache ("cached"), else by the worker later
   * ("computing"). A request cancels the one in flight, unless that one is the same what-if
   * prefetched (it is then awaited, not restarted).
   */
  request(job: WhatIfJob): "cached" | "computing";
  /**
   * Replays these in the worker while it has nothing asked of it, one at a time, into the cache
   * (so that a later request is answered at once); replaces the previous list. Nothing is
   * prefetched without a worker (it would hold up the page).
   */
  prefetch(jobs: WhatIfJob[]): void;
  /** Whether a replay is in flight. */
  busy(): boolean;
  /** Stops the worker. */
  dispose(): void;
}

const keyOf = (j: WhatIfJob) => `${j.allocator}|${j.capacity ?? ""}|${j.reserve}`;

/**
 * The page's side of the what-if worker: posts the run's decoded columns to a worker once (a copy
 * of each typed array, no second decode), asks it for replays, and keeps the last `cacheSize` runs so
 * that switching back to an allocator is instant. A new request supersedes the one in flight: the
 * worker is stopped (a planned arena over a long trace can take seconds) and a fresh one takes
 * the new request. `prefetch` fills the cache while the worker is idle. Without a worker
 * (`makeWorker` returns null) replays run on the page's thread, after a frame has painted the
 * "computing" state.
 */
export function whatIfClient(data: DecodedReportData, trace: Trace, options: WhatIfClientOptions): WhatIfClient {
  const cacheSize = options.cacheSize ?? 6;
  const cache = new Map<string, { run: ReplayRun; replayMs: number; inWorker: boolean }>();
  let worker: WorkerLike | null = null;
  let workerFailed = false;
  // `asked`: a request waits on it (else it is a prefetch, answered to the cache only).
  let inFlight: { id: number; job: WhatIfJob; asked: boolean } | null = null;
  let queue: WhatIfJob[] = [];
  let nextId = 1;

  const remember = (job: WhatIfJob, run: ReplayRun, replayMs: number, inWorker: boolean) => {
    const key = keyOf(job);
    cache.delete(key);
    cache.set(key, { run, replayMs, inWorker });
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  };
  const stopWorker = () => {
    worker?.terminate();
    worker = null;
  };
  const answer = (id: number, run: ReplayRun | null, error: string | null, replayMs: number, inWorker: boolean) => {
    if (!inFlight || inFlight.id !== id) return;
    const { job, asked } = inFlight;
    inFlight = null;
    if (run) remember(job, run, replayMs, inWorker);
    if (asked) options.onAnswer({ job, run, error, replayMs, cached: false, inWorker });
    pump();
  };
  const send = (job: WhatIfJob, asked: boolean) => {
    const id = nextId++;
    inFlight = { id, job, asked };
    worker ??= startWorker();
    if (worker) worker.postMessage({ kind: "replay", id, job });
    else replayHere(id, job);
  };
  // The next prefetch, when the worker is idle (and there is one).
  function pump() {
    if (inFlight) return;
    queue = queue.filter((j) => !cache.has(keyOf(j)));
    if (queue.length === 0) return;
    worker ??= startWorker();
    if (!worker) queue = [];
    else send(queue.shift()!, false);
  }
  // Without a worker: replay on the page's thread once the browser has painted the "computing" state.
  const replayHere = (id: number, job: WhatIfJob) =>
    setTimeout(() => {
      if (!inFlight || inFlight.id !== id) return;
      const t0 = performance.now();
      try {
        answer(id, whatIf(trace, job.allocator, job.capacity, job.reserve), null, performance.now() - t0, false);
      } catch (err) {
        answer(id, null, (err as Error).message, performance.now() - t0, false);
      }
    }, 20);
  const startWorker = (): WorkerLike | null => {
    if (workerFailed) return null;
    let w: WorkerLike | null = null;
    try {
      w = options.makeWorker();
    } catch {
      w = null;
    }
    if (!w) {
      workerFailed = true;
      return null;
    }
    let replied = false;
    w.onmessage = ({ data: reply }) => {
      replied = true;
      answer(reply.id, "run" in reply ? reply.run : null, "error" in reply ? reply.error : null, reply.ms, true);
    };
    w.onerror = (event) => {
      event.preventDefault?.();
      stopWorker();
      if (!replied) {
        // It never started (a host page's policy may forbid workers): replay in the page from now on.
        workerFailed = true;
        queue = [];
        if (inFlight?.asked) replayHere(inFlight.id, inFlight.job);
        else inFlight = null;
      } else if (inFlight) answer(inFlight.id, null, `the what-if worker failed: ${event.message ?? "no message"}`, 0, true);
    };
    w.postMessage({ kind: "init", data });
    return w;
  };

  return {
    request(job) {
      const key = keyOf(job);
      if (inFlight && !inFlight.asked && keyOf(inFlight.job) === key) {
        // Being prefetched: wait for it.
        inFlight.asked = true;
        return "computing";
      }
      if (inFlight) {
        // Superseded: stop the replay in flight (a worker cannot be interrupted otherwise); a
        // prefetch goes back to the queue.
        if (!inFlight.asked) queue.unshift(inFlight.job);
        inFlight = null;
        stopWorker();
      }
      const hit = cache.get(key);
      if (hit) {
        remember(job, hit.run, hit.replayMs, hit.inWorker);
        options.onAnswer({ job, run: hit.run, error: null, replayMs: hit.replayMs, cached: true, inWorker: hit.inWorker });
        pump();
        return "cached";
      }
      send(job, true);
      return "computing";
    },
    prefetch(jobs) {
      queue = [...jobs];
      pump();
    },
    busy: () => inFlight !== null,
    dispose() {
      inFlight = null;
      queue = [];
      stopWorker();
    },
  };
}
