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
  /** Called while the latest request's replay is planned (a planned arena): how far, 0 to 1. @defaultValue none */
  onProgress?: (job: WhatIfJob, fraction: number) => void;
  /** How many runs to keep for instant answers (each holds about 32 bytes an event). @defaultValue 6 */
  cacheSize?: number;
  /**
   * Called once the second worker has made the planned arena's plan (a prefetched planned replay
   * answered): planned what-ifs at any capacity are then replays of it. @defaultValue none
   */
  onPlanned?: () => void;
}

export interface WhatIfClient {
  /**
   * Asks for a what-if: answered at once from the cache ("cached"), else by a worker later
   * ("computing"). A request supersedes the one asked before: that replay is stopped, unless it is a
   * prefetch (it then goes on, into the cache). The same what-if being prefetched is awaited, not
   * started again.
   */
  request(job: WhatIfJob): "cached" | "computing";
  /**
   * Starts the replay a request is about to ask for before it is asked (the page's first what-if,
   * while the page still draws): starts the worker, posts it the columns and replays `job` there;
   * its run goes to the cache. A request for the same job then waits for it; any other request
   * stops it, as it stops an asked replay. Does nothing without workers, or when a replay is already
   * in that worker or on the page's thread, or the run is in the cache.
   */
  headStart(job: WhatIfJob): void;
  /**
   * Replays these, one at a time, in a second worker (so that a request never waits behind them nor
   * stops them), into the cache, so that a later request is answered at once; replaces the previous
   * list. Nothing is prefetched without workers (it would hold up the page).
   * A planned arena's plan does not depend on the capacity, and the worker keeps it: once that worker
   * has planned (or while it plans), planned requests at any capacity go to it, after what it is
   * doing, rather than planning again in the first worker.
   */
  prefetch(jobs: WhatIfJob[]): void;
  /** Whether a replay that was asked for is in flight. */
  busy(): boolean;
  /** Stops the workers. */
  dispose(): void;
}

const keyOf = (j: WhatIfJob) => `${j.allocator}|${j.capacity ?? ""}|${j.reserve}`;

/** A worker and the replay it runs: `asked` when a request waits on it (else a prefetch, for the cache). */
interface Lane {
  worker: WorkerLike | null;
  job: { id: number; job: WhatIfJob; asked: boolean } | null;
}

/**
 * The page's side of the what-if workers: posts the run's decoded columns to a worker once (a copy
 * of each typed array, no second decode), asks it for replays, and keeps the last `cacheSize` runs so
 * that switching back to an allocator is instant. A new request supersedes the one in flight: that
 * worker is stopped (a planned arena over a long trace can take seconds) and a fresh one takes the
 * new request. `prefetch` fills the cache from a second worker, so the first stays warm for
 * requests. Without a worker (`makeWorker` returns null, or the first one fails before it answers)
 * replays run on the page's thread, after a frame has painted the "computing" state.
 */
export function whatIfClient(data: DecodedReportData, trace: Trace, options: WhatIfClientOptions): WhatIfClient {
  const cacheSize = options.cacheSize ?? 6;
  const cache = new Map<string, { run: ReplayRun; replayMs: number; inWorker: boolean }>();
  const asked: Lane = { worker: null, job: null };
  const ahead: Lane = { worker: null, job: null };
  // A replay on the page's thread (no worker): its id while it waits for its turn.
  let here: { id: number; job: WhatIfJob } | null = null;
  let workerFailed = false;
  let queue: WhatIfJob[] = [];
  let nextId = 1;
  // The job `headStart` started, until the next request.
  let headStarted: string | null = null;
  // The second worker's plan (planned arenas): none, being made, or made (it keeps it).
  let plan: "none" | "making" | "made" = "none";
  // A planned request waiting for the second worker (it is making the plan, or busy).
  let plannedNext: WhatIfJob | null = null;

  const remember = (job: WhatIfJob, run: ReplayRun, replayMs: number, inWorker: boolean) => {
    const key = keyOf(job);
    cache.delete(key);
    cache.set(key, { run, replayMs, inWorker });
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  };
  const stop = (lane: Lane) => {
    lane.worker?.terminate();
    lane.worker = null;
    lane.job = null;
    if (lane === ahead) {
      plan = "none";
      plannedNext = null;
    }
  };
  const finish = (job: WhatIfJob, wanted: boolean, run: ReplayRun | null, error: string | null, replayMs: number, inWorker: boolean) => {
    if (run) remember(job, run, replayMs, inWorker);
    if (wanted) options.onAnswer({ job, run, error, replayMs, cached: false, inWorker });
  };
  // Without a worker: replay on the page's thread once the browser has painted the "computing" state.
  const replayHere = (job: WhatIfJob) => {
    const id = nextId++;
    here = { id, job };
    setTimeout(() => {
      if (here?.id !== id) return;
      here = null;
      const t0 = performance.now();
      try {
        finish(job, true, whatIf(trace, job.allocator, job.capacity, job.reserve), null, performance.now() - t0, false);
      } catch (err) {
        finish(job, true, null, (err as Error).message, performance.now() - t0, false);
      }
    }, 20);
  };
  const start = (lane: Lane): WorkerLike | null => {
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
      const current = lane.job;
      if (lane.worker !== w || !current || current.id !== reply.id) return;
      if ("progress" in reply) {
        if (current.asked) options.onProgress?.(current.job, reply.progress);
        else if (lane === ahead && plannedNext) options.onProgress?.(plannedNext, reply.progress);
        return;
      }
      lane.job = null;
      if (lane === ahead && current.job.allocator === "planned") {
        const before = plan;
        plan = "run" in reply ? "made" : "none";
        if (plan === "made" && before !== "made") options.onPlanned?.();
      }
      finish(current.job, current.asked, "run" in reply ? reply.run : null, "error" in reply ? reply.error : null, reply.ms, true);
      pump();
    };
    w.onerror = (event) => {
      event.preventDefault?.();
      if (lane.worker !== w) return;
      const current = lane.job;
      // A planned request that waited for this worker replays elsewhere.
      const waiting = lane === ahead ? plannedNext : null;
      stop(lane);
      if (!replied) {
        // It never started (a host page's policy may forbid workers): replay in the page from now on.
        workerFailed = true;
        queue = [];
        stop(asked);
        stop(ahead);
        if (current?.asked) replayHere(current.job);
      } else if (current?.asked) finish(current.job, true, null, `the what-if worker failed: ${event.message ?? "no message"}`, 0, true);
      if (waiting && !send(asked, waiting, true)) replayHere(waiting);
      pump();
    };
    w.postMessage({ kind: "init", data });
    return w;
  };
  const send = (lane: Lane, job: WhatIfJob, wanted: boolean): boolean => {
    lane.worker ??= start(lane);
    if (!lane.worker) return false;
    const id = nextId++;
    lane.job = { id, job, asked: wanted };
    lane.worker.postMessage({ kind: "replay", id, job });
    if (lane === ahead && job.allocator === "planned" && plan === "none") plan = "making";
    return true;
  };
  // The next prefetch, when the second worker is idle: a planned request waiting for it first.
  function pump() {
    if (ahead.job || workerFailed) return;
    if (plannedNext) {
      const job = plannedNext;
      plannedNext = null;
      if (send(ahead, job, true)) return;
      // The second worker could not start: replay in the page.
      replayHere(job);
      return;
    }
    const busyWith = asked.job ? keyOf(asked.job.job) : "";
    queue = queue.filter((j) => !cache.has(keyOf(j)) && keyOf(j) !== busyWith);
    const next = queue.shift();
    if (next && !send(ahead, next, false)) queue = [];
  }

  return {
    request(job) {
      const key = keyOf(job);
      // A head start that finished before its request answers it as a replay, not from the cache.
      const fresh = headStarted === key;
      headStarted = null;
      // Whatever was asked before is no longer wanted: a prefetch goes on, a request is stopped.
      if (ahead.job) ahead.job.asked = false;
      plannedNext = null;
      if (here) here = null;
      if (asked.job && !asked.job.asked && keyOf(asked.job.job) === key) {
        // Its head start: wait for it.
        asked.job.asked = true;
        return "computing";
      }
      if (asked.job) stop(asked);
      const hit = cache.get(key);
      if (hit) {
        remember(job, hit.run, hit.replayMs, hit.inWorker);
        options.onAnswer({ job, run: hit.run, error: null, replayMs: hit.replayMs, cached: !fresh, inWorker: hit.inWorker });
        return fresh ? "computing" : "cached";
      }
      if (ahead.job && keyOf(ahead.job.job) === key) {
        // Being prefetched: wait for it.
        ahead.job.asked = true;
        return "computing";
      }
      if (job.allocator === "planned" && plan !== "none") {
        // The second worker has the plan, or is making it: replay there, after what it does.
        if (ahead.job) plannedNext = job;
        else if (!send(ahead, job, true)) replayHere(job);
        return "computing";
      }
      if (!send(asked, job, true)) replayHere(job);
      return "computing";
    },
    headStart(job) {
      if (asked.job || here || cache.has(keyOf(job))) return;
      if (send(asked, job, false)) headStarted = keyOf(job);
    },
    prefetch(jobs) {
      queue = [...jobs];
      pump();
    },
    busy: () => Boolean(asked.job?.asked || here || ahead.job?.asked || plannedNext),
    dispose() {
      queue = [];
      here = null;
      stop(asked);
      stop(ahead);
    },
  };
}
