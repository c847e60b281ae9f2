import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { describe, expect, it } from "vitest";
import { isLazyPending, parseTrace, serializeTrace, timeline, traceColumns } from "@hbmscope/core";
import { traceTfjs, TfjsTraceError, transformerStep } from "../src/index.js";

const tiny = { vocab: 32, hidden: 16, heads: 2, layers: 1, seq: 16, batch: 2, blockSize: 8 } as const;
const engineOwn = () => ["trackTensor", "disposeTensor", "runKernelFunc", "startScope", "endScope", "addTapeNode"].filter((k) => Object.prototype.hasOwnProperty.call(tf.engine(), k));

for (const backend of ["cpu", "wasm"] as const) {
  describe(`traceTfjs() on ${backend}`, () => {
    it(`traceTfjs() keeps the logical running sum equal to tf.memory().numBytes at every event (${backend})`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numBytes;
      const step = transformerStep(tiny);
      const { trace, accounting, result } = await traceTfjs((ctx) => step.run(ctx));
      expect(accounting.mismatchCount).toBe(0);
      expect(accounting.checkedEvents).toBeGreaterThan(500);
      expect(Number.isFinite(result.loss)).toBe(true);
      // The step frees what it made: every view ends where tfjs ends.
      expect(timeline(trace, { view: "logical" }).end).toBe(tf.memory().numBytes - before);
      expect(timeline(trace, { view: "physical" }).end).toBe(0);
      expect(trace.meta).toMatchObject({ source: "tfjs", backend });
      expect(parseTrace(serializeTrace(trace))).toEqual(trace);
    });

    it(`traceTfjs() builds no buffer or event objects until they are read, and its columns are the ones they give (${backend})`, async () => {
      await tf.setBackend(backend);
      const step = transformerStep(tiny);
      const { trace } = await traceTfjs((ctx) => step.run(ctx));
      const columns = traceColumns(trace);
      const logical = timeline(trace, { view: "logical" }).peak;
      const written = serializeTrace(trace);
      expect(isLazyPending(trace)).toBe(true);
      // The same trace read back from its text: objects all the way.
      const plain = parseTrace(written);
      expect(traceColumns(plain)).toEqual(columns);
      expect(timeline(plain, { view: "logical" }).peak).toEqual(logical);
      expect(trace.events.length).toBe(plain.events.length);
      expect(trace).toEqual(plain);
    });

    it(`traceTfjs() names a tensor saved for backward after the tensor it copies, op and scope, not "Identity" (${backend})`, async () => {
      await tf.setBackend(backend);
      const x = tf.tensor1d([1, 2, 3]);
      const { trace } = await traceTfjs((ctx) => {
        ctx.phase("forward");
        const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.tidy("layer0", () => tf.sum(tf.exp(v))))(x));
        g.dispose();
      });
      x.dispose();
      // Exp saves its output for backward: the copy is "Exp (copy)" in the scope Exp ran in.
      const copies = trace.buffers.filter((b) => b.op === "Exp (copy)");
      expect(copies.length).toBeGreaterThan(0);
      const exp = trace.buffers.find((b) => b.op === "Exp")!;
      for (const c of copies) expect(c.scope).toBe(exp.scope);
      expect(exp.scope).toContain("layer0");
      expect(trace.buffers.some((b) => b.op === "Identity" && b.category === "activation")).toBe(false);
      // A clone outside any kernel is still the Identity kernel's.
      const { trace: plain } = await traceTfjs(() => {
        const y = tf.tensor1d([1]);
        const z = tf.clone(y);
        z.dispose();
        y.dispose();
      });
      expect(plain.buffers.some((b) => b.op === "Identity")).toBe(true);
    });

    it(`traceTfjs() names phases and categories of a training step (${backend})`, async () => {
      await tf.setBackend(backend);
      const { trace } = await traceTfjs((ctx) => transformerStep(tiny).run(ctx));
      expect(trace.marks.filter((m) => m.kind === "phase").map((m) => m.label)).toEqual(["setup", "forward", "backward", "optimizer", "teardown"]);
      const physical = trace.buffers.filter((b) => b.view !== "logical" && !b.kernelTemp);
      const cats = new Set(physical.map((b) => b.category));
      for (const c of ["weight", "optimizer", "activation", "gradient", "input"]) expect(cats).toContain(c);
      expect(physical.filter((b) => b.category === "weight").every((b) => b.phase === "setup" || b.phase === "optimizer")).toBe(true);
      expect(physical.some((b) => b.scope === "forward/layer0/attn/sdpa")).toBe(true);
      expect(physical.some((b) => b.scope?.startsWith("backward/layer0/attn"))).toBe(true);
      const tl = timeline(trace);
      expect(tl.peak.phase).toBe("backward");
    });

    it(`traceTfjs() restores every hook when fn throws, keeps the partial trace, and traces again (${backend})`, async () => {
      await tf.setBackend(backend);
      const set = tf.DataStorage.prototype.set;
      const err = await traceTfjs(() => {
        tf.ones([4, 4]);
        throw new Error("boom");
      }).catch((e) => e);
      expect(err).toBeInstanceOf(TfjsTraceError);
      expect(err.message).toMatch(/boom/);
      expect(err.trace.events.length).toBeGreaterThan(0);
      expect(engineOwn()).toEqual([]);
      expect(tf.DataStorage.prototype.set).toBe(set);
      const again = await traceTfjs(() => tf.tidy(() => tf.add(tf.ones([2]), 1).dataSync()[0]));
      expect(again.result).toBe(2);
      expect(engineOwn()).toEqual([]);
      tf.disposeVariables();
    });
  });
}

describe("traceTfjs() buffers", () => {
  it("traceTfjs() counts a reshape as a second logical reference to one physical buffer (cpu)", async () => {
    await tf.setBackend("cpu");
    const { trace } = await traceTfjs(() => {
      const x = tf.zeros([8, 8]);
      const y = tf.reshape(x, [64]);
      tf.dispose([x, y]);
    });
    expect(timeline(trace, { view: "logical" }).peak.bytes).toBe(512);
    expect(timeline(trace, { view: "physical" }).peak.bytes).toBe(256);
  });

  it("traceTfjs() sees the cpu softmax's kernel temporaries in the backend view only", async () => {
    await tf.setBackend("cpu");
    const x = tf.ones([4, 16]);
    const { trace } = await traceTfjs(() => tf.tidy(() => void tf.softmax(x)));
    x.dispose();
    const temps = trace.buffers.filter((b) => b.kernelTemp);
    expect(temps.length).toBeGreaterThan(0);
    expect(temps.every((b) => b.op === "Softmax" && b.category === "temporary")).toBe(true);
    expect(timeline(trace, { view: "backend" }).peak.bytes).toBeGreaterThan(timeline(trace, { view: "physical" }).peak.bytes);
  });

  it("traceTfjs() ignores tensors made before it started, also when they are freed inside", async () => {
    await tf.setBackend("cpu");
    const old = tf.ones([10]);
    const { trace, accounting } = await traceTfjs(() => {
      const r = tf.reshape(old, [2, 5]);
      old.dispose();
      r.dispose();
    });
    expect(accounting.mismatchCount).toBe(0);
    expect(trace.buffers.filter((b) => b.view !== "logical")).toEqual([]);
  });

  it("traceTfjs() reports, and with strict throws on, bytes tfjs counts outside trackTensor", async () => {
    await tf.setBackend("cpu");
    const state = (tf.engine() as unknown as { state: { numBytes: number } }).state;
    const sneak = () =>
      tf.tidy(() => {
        state.numBytes += 4; // bytes tfjs counts that no tensor reference explains
        tf.ones([2]);
        state.numBytes -= 4;
      });
    const loose = await traceTfjs(sneak);
    expect(loose.accounting.mismatchCount).toBe(1);
    expect(loose.accounting.mismatches[0]).toMatchObject({ traced: 8, tfjs: 12, op: "makeTensor" });
    const err = await traceTfjs(sneak, { strict: true }).catch((e) => e);
    expect(err).toBeInstanceOf(TfjsTraceError);
    expect(err.message).toBe("traceTfjs: logical running sum differs from tf.memory().numBytes at 1 event(s); first at event 1 (op makeTensor): traced 8 bytes, tfjs 12 bytes");
  });

  it("traceTfjs() refuses to nest", async () => {
    await tf.setBackend("cpu");
    const err = await traceTfjs(() => traceTfjs(() => 1)).catch((e) => e);
    expect(err.cause?.message ?? err.message).toMatch(/already tracing/);
    expect(engineOwn()).toEqual([]);
  });
});
