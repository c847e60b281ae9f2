import { fc, test } from "@fast-check/vitest";
import { parseTrace, PLAN_PROGRESS_EVERY, traceBuilder, type Trace } from "@hbmscope/core";
import { describe, expect, it, vi } from "vitest";
import { manyBuffers } from "./manyBuffers.js";
import { decodeReportData } from "../../src/decodeReportData.js";
import { reportData } from "../../src/reportData.js";
import { whatIfClient, type WhatIfAnswer, type WorkerLike } from "../../src/page/whatIfClient.js";
import { serveWhatIf, type WhatIfJob, type WhatIfReply, type WhatIfRequest } from "../../src/page/whatIfWorker.js";
import { REPORT_ALLOCATORS, whatIf } from "../../src/whatIf.js";

/** A stand-in worker: serveWhatIf behind structuredClone, answering on a later task, as a thread would. */
function fakeWorker(log: { started: number; terminated: number }, progressEveryMs?: number): WorkerLike {
  let listener: ((e: { data: WhatIfRequest }) => void) | undefined;
  let alive = true;
  const w: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (m) => void setTimeout(() => alive && listener!({ data: structuredClone(m) }), 1),
    terminate: () => void ((alive = false), log.terminated++),
  };
  serveWhatIf(
    {
      addEventListener: (_t, l) => void (listener = l),
      postMessage: (reply: WhatIfReply, transfer) => {
        const copy = structuredClone(reply, { transfer });
        setTimeout(() => alive && w.onmessage?.({ data: copy }), 1);
      },
    },
    progressEveryMs,
  );
  log.started++;
  return w;
}

const sample = (): Trace => {
  const b = traceBuilder();
  b.mark("forward");
  const w = b.alloc({ bytes: 3 << 20, category: "weight", op: "init" });
  for (let i = 0; i < 6; i++) b.free(b.alloc({ bytes: 1000 + 70_000 * i, category: "temporary", op: "Add" }));
  b.free(w);
  return parseTrace(b.build());
};

const settle = () => new Promise((r) => setTimeout(r, 30));

describe("whatIfClient", () => {
  it("whatIfClient() answers from the worker, then from the cache; a newer request stops the worker and only its answer comes", async () => {
    const t = sample();
    const log = { started: 0, terminated: 0 };
    const answers: WhatIfAnswer[] = [];
    const client = whatIfClient(decodeReportData(reportData(t)), t, { makeWorker: () => fakeWorker(log), onAnswer: (a) => void answers.push(a) });
    const job = (allocator: string): WhatIfJob => ({ allocator, capacity: null, reserve: 0 });
    expect(client.request(job("bfc"))).toBe("computing");
    expect(client.busy()).toBe(true);
    await settle();
    expect(answers.map((a) => [a.job.allocator, a.cached, a.inWorker, a.run?.peaks.reserved.bytes])).toEqual([["bfc", false, true, whatIf(t, "bfc").peaks.reserved.bytes]]);
    client.request(job("planned"));
    client.request(job("caching"));
    expect(log).toEqual({ started: 2, terminated: 1 });
    await settle();
    expect(answers.map((a) => a.job.allocator)).toEqual(["bfc", "caching"]);
    expect(client.request(job("bfc"))).toBe("cached");
    expect(answers[2]).toMatchObject({ cached: true, job: job("bfc") });
    expect(answers[2].run).toBe(answers[0].run);
    client.dispose();
  });

  it("whatIfClient() passes a planned replay's progress to onProgress before its answer, and never a superseded one's", async () => {
    const t = manyBuffers();
    const events: string[] = [];
    const client = whatIfClient(decodeReportData(reportData(t)), t, {
      makeWorker: () => fakeWorker({ started: 0, terminated: 0 }, 0),
      onAnswer: (a) => void events.push(`answer ${a.job.allocator}`),
      onProgress: (job, fraction) => void events.push(`${job.allocator} ${fraction.toFixed(2)}`),
    });
    client.request({ allocator: "planned", capacity: null, reserve: 0 });
    await vi.waitFor(() => expect(events.at(-1)).toBe("answer planned"), { timeout: 20_000, interval: 20 });
    expect(events.slice(0, -1)).toEqual([`planned ${(PLAN_PROGRESS_EVERY / (2 * PLAN_PROGRESS_EVERY + 123)).toFixed(2)}`, `planned ${((2 * PLAN_PROGRESS_EVERY) / (2 * PLAN_PROGRESS_EVERY + 123)).toFixed(2)}`]);
    // Asked again at another capacity, then superseded at once: nothing of the first comes.
    events.length = 0;
    client.request({ allocator: "planned", capacity: 1e12, reserve: 0 });
    client.request({ allocator: "ideal", capacity: null, reserve: 0 });
    await vi.waitFor(() => expect(events).toEqual(["answer ideal"]), { timeout: 20_000, interval: 20 });
    client.dispose();
  });

  it("whatIfClient() prefetches into the cache from a second worker, awaits a prefetch it is asked for, and a request never stops a prefetch", async () => {
    const t = sample();
    const log = { started: 0, terminated: 0 };
    const answers: WhatIfAnswer[] = [];
    const client = whatIfClient(decodeReportData(reportData(t)), t, { makeWorker: () => fakeWorker(log), onAnswer: (a) => void answers.push(a) });
    const job = (allocator: string): WhatIfJob => ({ allocator, capacity: null, reserve: 0 });
    client.prefetch([job("bfc"), job("ideal"), job("planned")]);
    expect([client.busy(), log.started]).toEqual([false, 1]);
    // bfc is being prefetched: asked for, it is awaited, not restarted.
    expect(client.request(job("bfc"))).toBe("computing");
    // caching runs in a worker of its own while the prefetches go on.
    await new Promise((r) => setTimeout(r, 3));
    await settle();
    expect(answers.map((a) => [a.job.allocator, a.cached])).toEqual([["bfc", false]]);
    client.request(job("caching"));
    await settle();
    await settle();
    expect(answers.map((a) => a.job.allocator)).toEqual(["bfc", "caching"]);
    for (const allocator of ["ideal", "planned", "bfc"]) expect([allocator, client.request(job(allocator))]).toEqual([allocator, "cached"]);
    expect(answers.slice(2).map((a) => [a.job.allocator, a.cached, a.run?.peaks.reserved.bytes])).toEqual(["ideal", "planned", "bfc"].map((x) => [x, true, whatIf(t, x).peaks.reserved.bytes]));
    expect(log).toEqual({ started: 2, terminated: 0 });
    const none = whatIfClient(decodeReportData(reportData(t)), t, { makeWorker: () => null, onAnswer: (a) => void answers.push(a) });
    none.prefetch([job("bfc")]);
    expect(none.busy()).toBe(false);
  });

  it("whatIfClient().headStart() replays ahead in the asked worker: its request waits for it or answers it as a replay, not from the cache; another request stops it", async () => {
    const t = sample();
    const log = { started: 0, terminated: 0 };
    const answers: WhatIfAnswer[] = [];
    const client = whatIfClient(decodeReportData(reportData(t)), t, { makeWorker: () => fakeWorker(log), onAnswer: (a) => void answers.push(a) });
    const job = (allocator: string): WhatIfJob => ({ allocator, capacity: null, reserve: 0 });
    // Asked while it runs: awaited, one worker, one answer.
    client.headStart(job("bfc"));
    expect([client.busy(), log.started]).toEqual([false, 1]);
    expect(client.request(job("bfc"))).toBe("computing");
    expect(client.busy()).toBe(true);
    await settle();
    expect(answers.map((a) => [a.job.allocator, a.cached, a.inWorker, a.run?.peaks.reserved.bytes])).toEqual([["bfc", false, true, whatIf(t, "bfc").peaks.reserved.bytes]]);
    expect(log).toEqual({ started: 1, terminated: 0 });
    // Finished before it is asked: no answer until then, then answered as a replay; asked again, from the cache.
    client.headStart(job("ideal"));
    await settle();
    expect(answers).toHaveLength(1);
    expect(client.request(job("ideal"))).toBe("computing");
    expect(client.request(job("ideal"))).toBe("cached");
    expect(answers.slice(1).map((a) => [a.job.allocator, a.cached])).toEqual([["ideal", false], ["ideal", true]]);
    // Nothing to start when the run is cached already.
    client.headStart(job("bfc"));
    expect(client.busy()).toBe(false);
    // Another request stops it: only the request is answered.
    client.headStart(job("planned"));
    client.request(job("caching"));
    expect(log.terminated).toBe(1);
    await settle();
    expect(answers.slice(3).map((a) => [a.job.allocator, a.cached])).toEqual([["caching", false]]);
    expect(client.request(job("planned"))).toBe("computing");
    client.dispose();
    // Without workers it does nothing: the request replays on the page's thread.
    const none = whatIfClient(decodeReportData(reportData(t)), t, { makeWorker: () => null, onAnswer: (a) => void answers.push(a) });
    none.headStart(job("bfc"));
    expect(none.busy()).toBe(false);
    none.dispose();
  });

  it("whatIfClient() sends planned requests at any capacity to the second worker that plans or planned (onPlanned), after what it is doing, and never plans again", async () => {
    const t = manyBuffers();
    const log = { started: 0, terminated: 0 };
    const answers: WhatIfAnswer[] = [];
    let planned = 0;
    const progress: number[] = [];
    const client = whatIfClient(decodeReportData(reportData(t)), t, {
      makeWorker: () => fakeWorker(log, 0),
      onAnswer: (a) => void answers.push(a),
      onProgress: (job, fraction) => void (job.capacity === 1e12 && progress.push(fraction)),
      onPlanned: () => void planned++,
    });
    const job = (capacity: number | null): WhatIfJob => ({ allocator: "planned", capacity, reserve: 0 });
    client.prefetch([job(null)]);
    // Asked at another capacity while the second worker plans: it waits for that worker, with its progress.
    expect(client.request(job(1e12))).toBe("computing");
    expect(client.busy()).toBe(true);
    await vi.waitFor(() => expect(answers).toHaveLength(1), { timeout: 20_000, interval: 20 });
    expect(progress.length).toBeGreaterThan(0);
    expect([planned, log]).toEqual([1, { started: 1, terminated: 0 }]);
    const want = (capacity: number | null) => whatIf(t, "planned", capacity, 0).peaks.reserved.bytes;
    expect(answers.map((a) => [a.job.capacity, a.cached, a.run?.peaks.reserved.bytes])).toEqual([[1e12, false, want(1e12)]]);
    // The prefetch went into the cache; a third capacity replays in the same worker.
    expect(client.request(job(null))).toBe("cached");
    expect(client.request(job(5e11))).toBe("computing");
    await vi.waitFor(() => expect(answers).toHaveLength(3), { timeout: 20_000, interval: 20 });
    expect(answers[2].run?.peaks.reserved.bytes).toBe(want(5e11));
    expect([planned, log]).toEqual([1, { started: 1, terminated: 0 }]);
    // A planned request waiting behind another prefetch, superseded before it runs: only the newer request is answered.
    client.prefetch([{ allocator: "bfc", capacity: null, reserve: 0 }]);
    client.request(job(4e11));
    client.request({ allocator: "ideal", capacity: null, reserve: 0 });
    await vi.waitFor(() => expect(client.busy()).toBe(false), { timeout: 20_000, interval: 20 });
    await settle();
    expect(answers.slice(3).map((a) => [a.job.allocator, a.job.capacity])).toEqual([["ideal", null]]);
    client.dispose();
  });

  it("whatIfClient() replays on the page's thread when no worker starts, or when the worker fails before its first answer", async () => {
    const t = sample();
    const answers: WhatIfAnswer[] = [];
    const none = whatIfClient(decodeReportData(reportData(t)), t, { makeWorker: () => null, onAnswer: (a) => void answers.push(a) });
    none.request({ allocator: "planned", capacity: null, reserve: 0 });
    await settle();
    expect(answers.map((a) => [a.inWorker, a.run?.peaks.reserved.bytes])).toEqual([[false, whatIf(t, "planned").peaks.reserved.bytes]]);
    const broken: WorkerLike = { onmessage: null, onerror: null, postMessage: () => void setTimeout(() => broken.onerror?.({ message: "blocked by policy" }), 1), terminate: () => {} };
    const failing = whatIfClient(decodeReportData(reportData(t)), t, { makeWorker: () => broken, onAnswer: (a) => void answers.push(a) });
    failing.request({ allocator: "bfc", capacity: null, reserve: 0 });
    await settle();
    expect(answers[1]).toMatchObject({ inWorker: false, error: null, job: { allocator: "bfc" } });
  });

  test.prop([fc.array(fc.record({ allocator: fc.constantFrom(...REPORT_ALLOCATORS), capacity: fc.constantFrom(null, 8 << 20, 2 << 20), wait: fc.boolean(), ahead: fc.boolean() }), { minLength: 1, maxLength: 8 })], { numRuns: 25 })(
    "whatIfClient() answers the latest request with whatIf's numbers, and never a superseded one",
    async (requests) => {
      const t = sample();
      const answers: WhatIfAnswer[] = [];
      const client = whatIfClient(decodeReportData(reportData(t)), t, { makeWorker: () => fakeWorker({ started: 0, terminated: 0 }), onAnswer: (a) => void answers.push(a), cacheSize: 3 });
      for (const r of requests) {
        const job = { allocator: r.allocator, capacity: r.capacity, reserve: 0 };
        const before = answers.length;
        client.request(job);
        // As the page does after an answer on two cores: plan ahead in the second worker.
        if (r.ahead) client.prefetch([{ allocator: "planned", capacity: r.capacity, reserve: 0 }]);
        if (r.wait) await settle();
        // Each answer is for the job just asked (cached at once, or after a wait): none for an older one.
        for (const a of answers.slice(before)) expect(a.job).toEqual(job);
      }
      // Until the last request is answered (a loaded machine can take longer than one settle).
      for (let i = 0; i < 200 && client.busy(); i++) await settle();
      await settle();
      const last = requests[requests.length - 1];
      const answer = answers[answers.length - 1];
      const want = whatIf(t, last.allocator, last.capacity, 0);
      expect([answer.job.allocator, answer.job.capacity, answer.run?.peaks.reserved.bytes, answer.run?.oom?.index]).toEqual([last.allocator, last.capacity, want.peaks.reserved.bytes, want.oom?.index]);
      client.dispose();
    },
  );
});
