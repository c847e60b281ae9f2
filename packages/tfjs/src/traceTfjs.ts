import * as tf from "./tf.js";
import { TfjsTraceError } from "./tfjsTraceError.js";
export { TfjsTraceError };
import { CATEGORIES, eventCount, lazyTrace, type Trace, type TraceBuffer, type TraceEvent, type TraceMark, type TraceMeta } from "@hbmscope/core";
import { categoryCode, TracedBuffers } from "./tracedBuffers.js";
import { TensorIdIndex } from "./tensorIdIndex.js";

/**
 * What the tracer hands to the traced function: set the phase of what follows when tfjs scopes do
 * not say it. A `tf.tidy` named `setup`, `forward`, `backward` or `optimizer` also sets the phase
 * for what runs inside it (`tf.variableGrads` runs in `forward` and `backward` tidies).
 */
export interface TraceContext {
  /** Sets the phase of the allocations that follow (outside phase-named tidies). */
  phase(name: string): void;
}

export interface TraceTfjsOptions {
  /** Extra fields for the trace's `meta` (model, setup, ...). `source` and `backend` are filled in. */
  meta?: TraceMeta;
  /** Phase before `ctx.phase` is first called. @defaultValue `"setup"` */
  initialPhase?: string;
  /**
   * Throw a `TfjsTraceError` (after restoring the hooks) when the logical running sum ever differs
   * from `tf.memory().numBytes`. Otherwise mismatches are only reported in `accounting`.
   * @defaultValue `false`
   */
  strict?: boolean;
}

/** The result of the accounting check: the logical running sum against `tf.memory().numBytes`. */
export interface Accounting {
  /** Logical events checked (every logical alloc and free). */
  checkedEvents: number;
  /** The first mismatches (at most 20): event index, the tracer's sum, tfjs' `numBytes` (both net of the start). */
  mismatches: { event: number; op: string; traced: number; tfjs: number }[];
  /** Number of mismatching events in all. */
  mismatchCount: number;
}

export interface TfjsTraceResult<T> {
  trace: Trace;
  result: T;
  accounting: Accounting;
  /** Wall time of `fn` under the hooks, in milliseconds. */
  ms: number;
}


const PHASE_SCOPES = new Set(["setup", "forward", "backward", "optimizer"]);
const WEIGHT = categoryCode("weight");
const OPTIMIZER = categoryCode("optimizer");
const INPUT = categoryCode("input");
const ACTIVATION = categoryCode("activation");
const GRADIENT = categoryCode("gradient");
const TEMPORARY = categoryCode("temporary");

interface Frame {
  path: string;
  /** Nearest phase-named scope at or below this frame, or "". */
  phase: string;
  /** Interned child frames by scope name: a scope entered again reuses its frame (no string building). */
  children: Map<string, Frame> | undefined;
}

/** Bytes per element of the tfjs dtypes, inline (`tf.util.bytesPerElement` throws on unknown ones). */
function bytesPer(dtype: string): number {
  switch (dtype) {
    case "float32":
    case "int32":
      return 4;
    case "bool":
      return 1;
    default:
      return tf.util.bytesPerElement(dtype as tf.DataType);
  }
}

/** Bits of a buffer's `flags` column. */
const LOGICAL = 1;
/** A physical buffer some tensor referenced. */
const TENSOR = 2;
/** A physical buffer seen through the backend's `DataStorage` (freed there, not by the engine). */
const VIA_STORAGE = 4;
const KERNEL_TEMP = 8;

interface EngineLike {
  state: { numBytes: number; tensorInfo: WeakMap<object, unknown>; activeTape: { gradient?: (dys: unknown) => unknown }[] | null };
  backend: object;
  [method: string]: unknown;
}

const HOOKED = Symbol.for("hbmscope.traceTfjs");

/** The category code of a tensor made in `phase` (not a variable, not saved for backward). */
function contextCategory(phase: string): number {
  switch (phase) {
    case "setup":
      return INPUT;
    case "backward":
      return GRADIENT;
    default:
      return TEMPORARY;
  }
}

function bytesOfTensor(t: { size: number; dtype: string }): number {
  return t.dtype === "complex64" || t.dtype === "string" ? 0 : t.size * bytesPer(t.dtype);
}

/** Bytes of a backend `DataStorage` value: its typed array, or shape × dtype (wasm, tfjs-node). */
function bytesOfStorage(value: { values?: unknown; shape?: number[]; dtype?: string } | undefined): number {
  if (!value) return 0;
  const v = value.values as ArrayBufferView | undefined;
  if (v && typeof v.byteLength === "number") return v.byteLength;
  if (value.shape && value.dtype && value.dtype !== "string" && value.dtype !== "complex64") {
    return tf.util.sizeFromShape(value.shape) * bytesPer(value.dtype);
  }
  return 0;
}

/**
 * Runs `fn` with hooks on the tfjs engine and records every allocation and free as a Trace:
 * - one `view: "logical"` buffer per tensor reference (what `tf.memory().numBytes` counts),
 * - one physical buffer per unique data buffer (a reshape or clone may share one), from the
 *   backend storing it to the backend freeing it,
 * - one `kernelTemp: true` buffer per backend buffer that never became a tensor (kernel-internal
 *   temporaries seen in the backend's `DataStorage`; wasm kernels' heap scratch is invisible).
 *
 * Each buffer has the kernel that made it (`op`), the tfjs scope path, the phase and a category:
 * `weight` (variables), `optimizer` (variables made in the optimizer phase), `activation` (saved for
 * backward by the tape), `gradient` (made in backward), `input` (made in setup, still live after
 * it), `temporary` (the rest). Hooks are installed before `fn` runs and removed when it returns or
 * throws; when it throws, the error is a `TfjsTraceError` carrying the partial trace.
 * Sizes are bytes; event times are milliseconds from the start.
 */
export async function traceTfjs<T>(fn: (ctx: TraceContext) => T | Promise<T>, options: TraceTfjsOptions = {}): Promise<TfjsTraceResult<T>> {
  const engine = tf.engine() as unknown as EngineLike;
  if ((engine.trackTensor as { [HOOKED]?: boolean })[HOOKED]) {
    throw new Error("traceTfjs: already tracing (nested traceTfjs calls are not supported)");
  }
  const activeBackend = engine.backend;
  const backendName = tf.getBackend();
  const state = engine.state;
  let baseline = state.numBytes;

  // The trace, built in columns (one entry per buffer id) and assembled into objects at the end.
  const buffers = new TracedBuffers();
  // Events in typed arrays (outside the JS heap, so garbage collections neither copy nor scan
  // them), doubled when full: `buffer id * 2 + kind` (0 alloc, 1 free) and the time.
  let evCode = new Int32Array(4096);
  let evTime = new Float64Array(4096);
  let evCount = 0;
  const marks: TraceMark[] = [];
  const t0 = performance.now();

  // Context: kernel stack, scope stack, phase, backward scope.
  const ops: string[] = [];
  /** Per kernel on `ops`: the scope its allocations take instead of the current one (a saved copy takes its source's). */
  const opScopes: (string | undefined)[] = [];
  let kernelStart = 0;
  const root: Frame = { path: "", phase: "", children: undefined };
  const frames: Frame[] = [];
  /** The innermost frame (`root` outside any scope). */
  let top = root;
  let explicitPhase = options.initialPhase ?? "setup";
  let markedPhase = "";
  const gradScopes: string[] = [];
  const variableCategory = new Map<string, number>();

  /** Live logical buffer id by tensor id; live physical buffer id by dataId. */
  const logical = new TensorIdIndex();
  const physical = new Map<object, number>();
  let logicalSum = 0;
  const accounting: Accounting = { checkedEvents: 0, mismatches: [], mismatchCount: 0 };

  const currentPhase = () => top.phase || explicitPhase;
  const currentScope = () => opScopes[opScopes.length - 1] ?? (gradScopes.length ? gradScopes[gradScopes.length - 1] : top.path);
  /** Backward scope per forward scope, built once per scope. */
  const backwardScopes = new Map<string, string>();
  const currentOp = (fallback: string) => (ops.length ? ops[ops.length - 1] : fallback);

  const event = (kind: 0 | 1, buffer: number, phase: string) => {
    if (phase !== markedPhase) {
      marks.push({ at: evCount, label: phase, kind: "phase" });
      markedPhase = phase;
    }
    if (evCount === evCode.length) {
      const code = new Int32Array(evCount * 2);
      code.set(evCode);
      evCode = code;
      const time = new Float64Array(evCount * 2);
      time.set(evTime);
      evTime = time;
    }
    evCode[evCount] = buffer * 2 + kind;
    // Inside a kernel, its start time: one clock read per kernel rather than per event.
    evTime[evCount++] = ops.length ? kernelStart : performance.now() - t0;
  };
  const check = (op: string) => {
    accounting.checkedEvents++;
    const tfjs = state.numBytes - baseline;
    if (tfjs !== logicalSum) {
      accounting.mismatchCount++;
      if (accounting.mismatches.length < 20) accounting.mismatches.push({ event: evCount - 1, op, traced: logicalSum, tfjs });
    }
  };

  // --- the hooks ---
  const proto = tf.DataStorage.prototype as unknown as { set: (id: object, v: unknown) => void; delete: (id: object) => boolean };
  const origSet = proto.set;
  const origDelete = proto.delete;
  const e = engine as unknown as Record<string, (...args: any[]) => any>;
  const orig = {
    trackTensor: e.trackTensor,
    disposeTensor: e.disposeTensor,
    runKernelFunc: e.runKernelFunc,
    startScope: e.startScope,
    endScope: e.endScope,
    addTapeNode: e.addTapeNode,
  };
  const ownBefore = Object.keys(orig).filter((k) => Object.prototype.hasOwnProperty.call(engine, k));

  proto.set = function (this: { backend: object; data: WeakMap<object, unknown> }, dataId: object, value: unknown) {
    origSet.call(this, dataId, value);
    if (this.backend !== activeBackend || physical.has(dataId)) return;
    const v = value as { shape?: number[]; dtype?: string };
    const phase = currentPhase();
    const buffer = buffers.add(bytesOfStorage(value as never), contextCategory(phase), v.dtype, v.shape, currentOp("write"), currentScope(), phase, VIA_STORAGE);
    physical.set(dataId, buffer);
    event(0, buffer, phase);
  };
  proto.delete = function (this: { backend: object; data: WeakMap<object, unknown> }, dataId: object) {
    const b = this.backend === activeBackend ? physical.get(dataId) : undefined;
    if (b !== undefined) {
      if (buffers.bytes[b] === 0) buffers.bytes[b] = bytesOfStorage(this.data.get(dataId) as never);
      if (!(buffers.flags[b] & TENSOR)) {
        buffers.flags[b] |= KERNEL_TEMP;
        buffers.category[b] = TEMPORARY;
      } else if (buffers.category[b] === INPUT && currentPhase() === "setup") buffers.category[b] = TEMPORARY;
      physical.delete(dataId);
      event(1, b, currentPhase());
    }
    return origDelete.call(this, dataId);
  };

  e.trackTensor = function (this: EngineLike, a: tf.Tensor, backend: unknown) {
    // The DataStorage hook has usually seen the buffer already; only otherwise ask tfjs' WeakMap.
    let b = physical.get(a.dataId);
    const known = b !== undefined || state.tensorInfo.has(a.dataId);
    orig.trackTensor.call(this, a, backend);
    const phase = currentPhase();
    let category: number;
    const isVariable = a instanceof tf.Variable;
    if (isVariable) {
      const name = (a as tf.Variable).name;
      category = variableCategory.get(name) ?? (phase === "optimizer" ? OPTIMIZER : WEIGHT);
      variableCategory.set(name, category);
    } else category = contextCategory(phase);
    const op = currentOp(isVariable ? "Variable" : "makeTensor");
    const scope = currentScope();
    const bytes = bytesOfTensor(a);
    if (b === undefined && !known) {
      // A backend without a hooked DataStorage: the first reference allocates the buffer.
      b = buffers.add(bytes, category, a.dtype, a.shape, op, scope, phase, TENSOR);
      physical.set(a.dataId, b);
      event(0, b, phase);
    }
    if (b !== undefined) {
      buffers.flags[b] |= TENSOR;
      if (buffers.bytes[b] === 0) buffers.bytes[b] = bytes;
      if (buffers.dtype[b] === undefined) buffers.dtype[b] = a.dtype;
      if (!buffers.hasShape(b)) buffers.setShape(b, a.shape);
      buffers.upgrade(b, category);
    }
    const lb = buffers.add(bytes, category, a.dtype, a.shape, op, scope, phase, LOGICAL);
    logical.set(a.id, lb);
    logicalSum += bytes;
    event(0, lb, phase);
    check(op);
  };

  e.disposeTensor = function (this: EngineLike, a: tf.Tensor) {
    const known = state.tensorInfo.has(a.dataId);
    orig.disposeTensor.call(this, a);
    if (!known) return;
    const lb = logical.get(a.id);
    const phase = currentPhase();
    if (lb >= 0) {
      logical.delete(a.id);
      logicalSum -= buffers.bytes[lb];
      if (buffers.category[lb] === INPUT && phase === "setup") buffers.category[lb] = TEMPORARY;
      event(1, lb, phase);
      check(buffers.op[lb]);
    } else {
      // A tensor from before the trace: not ours, so take it out of the baseline.
      baseline -= bytesOfTensor(a);
    }
    const b = physical.get(a.dataId);
    if (b !== undefined && !(buffers.flags[b] & VIA_STORAGE) && !state.tensorInfo.has(a.dataId)) {
      physical.delete(a.dataId);
      event(1, b, phase);
    }
  };

  e.runKernelFunc = function (this: EngineLike, params: { kernelName?: string; inputs?: Record<string, unknown> }) {
    let name = params.kernelName ?? `customGrad(${top.path.split("/").pop()})`;
    let scope: string | undefined;
    // tfjs saves a tensor for backward by copying it with the Identity kernel, inside the kernel
    // that saves it (engine.saveTensorsForBackwardMode, customGrad's save); on wasm the copy is a
    // new buffer. Named "Identity", every saved activation would look alike: name the copy after
    // the tensor it copies, op and scope.
    if (name === "Identity" && ops.length > 0) {
      const x = params.inputs?.x as tf.Tensor | undefined;
      const known = x ? logical.get(x.id) : -1;
      const source = known >= 0 ? known : x ? physical.get(x.dataId) : undefined;
      if (source !== undefined) {
        name = `${buffers.op[source]} (copy)`;
        scope = buffers.scope[source];
      }
    }
    ops.push(name);
    opScopes.push(scope);
    kernelStart = performance.now() - t0;
    try {
      return orig.runKernelFunc.call(this, params);
    } finally {
      ops.pop();
      opScopes.pop();
    }
  };

  e.startScope = function (this: EngineLike, name?: string) {
    frames.push(top);
    // tfjs wraps every op in a scope named `<op>__op`: the kernel name says that already.
    if (name && name !== "unnamed scope" && !name.endsWith("__op")) {
      const parent = top;
      let child = parent.children?.get(name);
      if (!child) {
        child = { path: parent.path ? `${parent.path}/${name}` : name, phase: PHASE_SCOPES.has(name) ? name : parent.phase, children: undefined };
        (parent.children ??= new Map()).set(name, child);
      }
      top = child;
    }
    return orig.startScope.call(this, name);
  };
  e.endScope = function (this: EngineLike, result: unknown) {
    try {
      return orig.endScope.call(this, result);
    } finally {
      top = frames.pop() ?? root;
    }
  };

  /** Runs `f(arg)` with backward allocations attributed to `scope`. */
  const within = (scope: string, f: (arg: unknown) => unknown, arg: unknown): unknown => {
    gradScopes.push(scope);
    try {
      return f(arg);
    } finally {
      gradScopes.pop();
    }
  };
  e.addTapeNode = function (this: EngineLike, kernelName: string, inputs: unknown, outputs: unknown, gradFunc: unknown, saved: tf.Tensor[], attrs: unknown) {
    orig.addTapeNode.call(this, kernelName, inputs, outputs, gradFunc, saved, attrs);
    for (const t of saved) {
      const lb = logical.get(t.id);
      if (lb >= 0) buffers.upgrade(lb, ACTIVATION);
      const b = physical.get(t.dataId);
      if (b !== undefined) buffers.upgrade(b, ACTIVATION);
    }
    // Backward allocations get the scope of the forward op they differentiate.
    const tape = state.activeTape;
    const node = tape?.[tape.length - 1];
    if (node?.gradient) {
      const here = currentScope();
      let scope = backwardScopes.get(here);
      if (scope === undefined) {
        const fwd = here.replace(/^forward(\/|$)/, "");
        scope = fwd ? `backward/${fwd}` : "backward";
        backwardScopes.set(here, scope);
      }
      const gradient = node.gradient;
      const s = scope;
      node.gradient = (dys: unknown) => {
        const thunks = within(s, gradient, dys) as Record<string, () => unknown>;
        const wrapped: Record<string, () => unknown> = {};
        for (const k of Object.keys(thunks)) wrapped[k] = () => within(s, thunks[k], undefined);
        return wrapped;
      };
    }
  };
  for (const k of Object.keys(orig)) (e[k] as unknown as Record<symbol, boolean>)[HOOKED] = true;

  const restore = () => {
    proto.set = origSet;
    proto.delete = origDelete;
    // Delete in reverse order of installation: V8 then rolls the engine's hidden class back instead
    // of turning it into a slow dictionary object (which would slow every later engine call).
    for (const k of (Object.keys(orig) as (keyof typeof orig)[]).reverse()) {
      if (ownBefore.includes(k)) e[k] = orig[k];
      else delete e[k];
    }
  };

  /**
   * The trace, lazily (core's `lazyTrace`): its columns are built here from the tracer's arrays,
   * its buffer and event objects only when something reads `trace.buffers` or `trace.events`
   * (`timeline`, `replay` and writing the trace never do). Building tens of thousands of objects
   * after every traced step was most of the tracer's own cost.
   */
  const assemble = (): Trace => {
    // Backend buffers still live at the end that never became tensors are kernel temporaries too.
    for (const b of physical.values()) if (!(buffers.flags[b] & TENSOR)) buffers.flags[b] |= KERNEL_TEMP;
    const nb = buffers.count;
    const ne = evCount;
    const code = evCode.slice(0, ne);
    const times = new Float64Array(ne);
    for (let i = 0; i < ne; i++) times[i] = Math.round(evTime[i] * 1000) / 1000;
    const bytes = buffers.bytes.slice(0, nb);
    const category = buffers.category.slice(0, nb);
    const views = new Uint8Array(nb);
    let hasLogical = false;
    let hasKernelTemps = false;
    for (let i = 0; i < nb; i++) {
      // The view bits of core's columns: 1 logical, 2 physical, 4 backend (kernel temporaries are backend only).
      const f = buffers.flags[i];
      views[i] = f & LOGICAL ? 1 : f & KERNEL_TEMP ? 4 : 2 | 4;
      if (f & LOGICAL) hasLogical = true;
      else if (f & KERNEL_TEMP) hasKernelTemps = true;
    }
    // Without logical buffers, the logical view is the physical one.
    if (!hasLogical) for (let i = 0; i < nb; i++) if (views[i] & 2) views[i] |= 1;
    const eventBuffer = new Int32Array(ne);
    const eventAlloc = new Uint8Array(ne);
    for (let i = 0; i < ne; i++) {
      eventBuffer[i] = code[i] >>> 1;
      eventAlloc[i] = code[i] & 1 ? 0 : 1;
    }
    const buffer = (i: number): TraceBuffer => {
      const o: TraceBuffer = { id: i, bytes: bytes[i], category: CATEGORIES[category[i]] };
      const dtype = buffers.dtype[i];
      if (dtype !== undefined) o.dtype = dtype;
      const shape = buffers.shape(i);
      if (shape !== undefined) o.shape = shape;
      o.op = buffers.op[i];
      o.scope = buffers.scope[i];
      o.phase = buffers.phase[i];
      if (buffers.flags[i] & LOGICAL) o.view = "logical";
      if (buffers.flags[i] & KERNEL_TEMP) o.kernelTemp = true;
      return o;
    };
    const event = (i: number): TraceEvent => ({ kind: code[i] & 1 ? "free" : "alloc", buffer: code[i] >>> 1, time: times[i] });
    const meta = { ...(options.meta ?? {}), source: "tfjs", backend: backendName, units: "bytes" };
    return lazyTrace(meta, marks, { bufferCount: nb, eventCount: ne, buffer, event, hasBufferPhases: nb > 0, times }, { bytes, category, views, eventBuffer, eventAlloc, hasLogical, hasKernelTemps });
  };

  let result: T;
  const ctx: TraceContext = {
    phase(name) {
      explicitPhase = name;
    },
  };
  try {
    result = await fn(ctx);
  } catch (err) {
    restore();
    const trace = assemble();
    const what = err instanceof RangeError ? "ran out of memory" : "threw";
    throw new TfjsTraceError(
      `traceTfjs: the traced function ${what} after ${eventCount(trace)} events (${(err as Error)?.message ?? String(err)}); the partial trace is in error.trace`,
      trace,
      accounting,
      err,
    );
  }
  const ms = performance.now() - t0;
  restore();
  const trace = assemble();
  if (options.strict && accounting.mismatchCount > 0) {
    const m = accounting.mismatches[0];
    throw new TfjsTraceError(
      `traceTfjs: logical running sum differs from tf.memory().numBytes at ${accounting.mismatchCount} event(s); first at event ${m.event} (op ${m.op}): traced ${m.traced} bytes, tfjs ${m.tfjs} bytes`,
      trace,
      accounting,
    );
  }
  return { trace, result, accounting, ms };
}
