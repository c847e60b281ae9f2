import type { Category, TraceBuilder } from "@hbmscope/core";

/**
 * A symbolic TensorFlow.js engine: tensors have shapes and data buffers but no values. It follows
 * the memory rules of tfjs-core 4.22 (`dist/engine.js`, `dist/tape.js`), rule for rule:
 * - every op runs in its own scope (`op()` wrapper): tensors an op makes internally (scalar
 *   arguments included) are disposed when it returns; `tidy` disposes what its function made and
 *   did not return or `keep`;
 * - a tensor's data buffer is freed when the last tensor sharing it is disposed (reshape shares on
 *   every backend; clone and cast share on cpu and copy on wasm);
 * - while a tape records (`gradientDepth > 0` and `kernelDepth == 0`), a kernel saves the inputs and
 *   outputs its gradient config names as `keep(clone(t))`; custom-gradient forwards run at kernel depth 1;
 * - `gradients` runs f in `tidy("forward")` and backprop in `tidy("backward")`: each input gradient in
 *   its own tidy, accumulated with `add` (the old sum disposed, the new term kept), and everything
 *   else (gradient-function work outside the per-input thunks included) lives until backward ends;
 *   saved tensors are disposed at its end.
 * It records what `traceTfjs` records: one physical buffer per data buffer, one logical buffer per
 * tensor, categories by the tracer's rules (variables: weight, or optimizer when first seen in the
 * optimizer phase; saved: activation; made in setup: input; in backward: gradient; else temporary).
 */
export type TfDtype = "float32" | "int32" | "bool";
export type TfBackend = "cpu" | "wasm";

const BYTES_PER_ELEMENT: Record<TfDtype, number> = { float32: 4, int32: 4, bool: 1 };
const RANK: Record<Category, number> = { weight: 6, optimizer: 6, input: 5, activation: 4, gradient: 3, temporary: 2, other: 1 };
const PHASE_SCOPES = new Set(["setup", "forward", "backward", "optimizer"]);

interface SymBuffer {
  bytes: number;
  category: Category;
  dtype: TfDtype;
  shape: number[];
  op: string;
  scope: string;
  phase: string;
  logical: boolean;
  id: number;
}

interface Data {
  buffer: SymBuffer;
  refs: number;
}

export class SymTensor {
  kept = false;
  disposed = false;
  variableName: string | undefined = undefined;
  logical!: SymBuffer;
  constructor(
    readonly id: number,
    readonly shape: number[],
    readonly dtype: TfDtype,
    public data: Data,
    public scopeId: number,
  ) {}
  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }
  get rank(): number {
    return this.shape.length;
  }
}

interface Scope {
  id: number;
  path: string;
  phase: string;
  track: SymTensor[];
}

export type GradThunks = Record<string, () => SymTensor>;

export interface GradConfig {
  inputsToSave?: string[];
  outputsToSave?: boolean[];
  saveAllInputs?: boolean;
  gradFunc: (dy: SymTensor, saved: SymTensor[]) => GradThunks;
}

interface TapeNode {
  id: number;
  inputs: Record<string, SymTensor>;
  outputs: SymTensor[];
  saved: SymTensor[];
  gradient?: (dys: SymTensor[]) => GradThunks;
  scope: string;
}

export interface OutputSpec {
  shape: number[];
  dtype: TfDtype;
  /** Shares this tensor's data buffer (reshape; clone and cast on cpu). */
  share?: SymTensor;
}

type Event = { alloc: boolean; buffer: SymBuffer; phase: string } | { mark: string };

export class SymEngine {
  private nextTensorId = 0;
  private nextScopeId = 1;
  private nextNodeId = 0;
  private scopes: Scope[] = [];
  private tape: TapeNode[] | null = null;
  private gradientDepth = 0;
  private kernelDepth = 0;
  private variableCategory = new Map<string, Category>();
  private events: Event[] = [];
  private explicitPhase = "setup";
  private opStack: string[] = [];
  private gradScope: string | null = null;
  /** The scope a saved copy's allocations take: its source's (see `clone`). */
  private copyScope: string | null = null;
  private lastLayerMark = "";

  constructor(readonly backend: TfBackend) {}

  setPhase(name: string): void {
    this.explicitPhase = name;
  }

  private phase(): string {
    const top = this.scopes[this.scopes.length - 1];
    return (top && top.phase) || this.explicitPhase;
  }

  private path(): string {
    if (this.copyScope !== null) return this.copyScope;
    if (this.gradScope !== null) return this.gradScope;
    return this.scopes.length ? this.scopes[this.scopes.length - 1].path : "";
  }

  /** A layer mark (`kind: "layer"`) before the next event. */
  markLayer(label: string): void {
    if (label === this.lastLayerMark) return;
    this.lastLayerMark = label;
    this.events.push({ mark: label });
  }

  private contextCategory(phase: string): Category {
    return phase === "setup" ? "input" : phase === "backward" ? "gradient" : "temporary";
  }

  private upgrade(b: SymBuffer, c: Category): void {
    if (RANK[c] > RANK[b.category]) b.category = c;
  }

  private newData(shape: number[], dtype: TfDtype, op: string): Data {
    const phase = this.phase();
    let n = 1;
    for (const d of shape) n *= d;
    const buffer: SymBuffer = { bytes: n * BYTES_PER_ELEMENT[dtype], category: this.contextCategory(phase), dtype, shape: shape.slice(), op, scope: this.path(), phase, logical: false, id: -1 };
    this.events.push({ alloc: true, buffer, phase });
    return { buffer, refs: 0 };
  }

  /** engine.trackTensor + scope tracking. */
  private register(data: Data, shape: number[], dtype: TfDtype, op: string, variableName?: string): SymTensor {
    const t = new SymTensor(this.nextTensorId++, shape, dtype, data, 0);
    data.refs++;
    this.trackTensor(t, op, variableName);
    if (variableName === undefined) this.track(t);
    return t;
  }

  private trackTensor(t: SymTensor, op: string, variableName?: string): void {
    const phase = this.phase();
    let category: Category;
    if (variableName !== undefined) {
      t.variableName = variableName;
      category = this.variableCategory.get(variableName) ?? (phase === "optimizer" ? "optimizer" : "weight");
      this.variableCategory.set(variableName, category);
    } else category = this.contextCategory(phase);
    this.upgrade(t.data.buffer, category);
    const lb: SymBuffer = { bytes: t.size * BYTES_PER_ELEMENT[t.dtype], category, dtype: t.dtype, shape: t.shape.slice(), op, scope: this.path(), phase, logical: true, id: -1 };
    t.logical = lb;
    this.events.push({ alloc: true, buffer: lb, phase });
  }

  private track(t: SymTensor): void {
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) {
      t.scopeId = scope.id;
      scope.track.push(t);
    }
  }

  private currentOp(fallback: string): string {
    return this.opStack.length ? this.opStack[this.opStack.length - 1] : fallback;
  }

  /** `tf.tensor(...)`, `tf.ones`, `tf.zeros`, scalars: a new buffer. */
  makeTensor(shape: number[], dtype: TfDtype = "float32"): SymTensor {
    const op = this.currentOp("makeTensor");
    return this.register(this.newData(shape, dtype, op), shape, dtype, op);
  }

  scalar(): SymTensor {
    return this.makeTensor([], "float32");
  }

  dispose(t: SymTensor | null | undefined): void {
    if (!t || t.disposed) return;
    t.disposed = true;
    const phase = this.phase();
    if (t.logical.category === "input" && phase === "setup") t.logical.category = "temporary";
    this.events.push({ alloc: false, buffer: t.logical, phase });
    if (--t.data.refs === 0) this.freeData(t.data);
  }

  private freeData(d: Data): void {
    const phase = this.phase();
    if (d.buffer.category === "input" && phase === "setup") d.buffer.category = "temporary";
    this.events.push({ alloc: false, buffer: d.buffer, phase });
  }

  keep<T extends SymTensor>(t: T): T {
    t.kept = true;
    return t;
  }

  /**
   * `tf.clone` (the Identity kernel): shares the buffer on cpu, copies it on wasm. Inside a kernel
   * (saving a tensor for backward) the copy is named after its source, `<op> (copy)` in the
   * source's scope, as the tracer names it.
   */
  clone(t: SymTensor): SymTensor {
    const saved = this.kernelDepth > 0 && t.logical !== undefined;
    const op = saved ? `${t.logical!.op} (copy)` : "Identity";
    const outer = this.copyScope;
    if (saved) this.copyScope = t.logical!.scope;
    this.opStack.push(op);
    try {
      return this.backend === "cpu" ? this.register(t.data, t.shape, t.dtype, op) : this.makeTensor(t.shape, t.dtype);
    } finally {
      this.opStack.pop();
      this.copyScope = outer;
    }
  }

  startScope(name: string | null): void {
    const parent = this.scopes[this.scopes.length - 1];
    const named = name !== null;
    const parentPath = parent ? parent.path : "";
    this.scopes.push({
      id: this.nextScopeId++,
      path: named ? (parentPath ? `${parentPath}/${name}` : name) : parentPath,
      phase: named && PHASE_SCOPES.has(name) ? name : parent ? parent.phase : "",
      track: [],
    });
  }

  endScope(result: unknown): void {
    const keep = new Set<SymTensor>();
    collect(result, keep);
    const scope = this.scopes[this.scopes.length - 1];
    for (const t of scope.track) if (!t.kept && !keep.has(t)) this.dispose(t);
    this.scopes.pop();
    for (const t of keep) if (!t.kept && t.scopeId === scope.id) this.track(t);
  }

  tidy<T>(name: string | null, fn: () => T): T {
    this.startScope(name);
    let result: T | undefined;
    try {
      result = fn();
      return result;
    } finally {
      this.endScope(result);
    }
  }

  /** An op: its own scope, so what it makes internally goes when it returns. */
  op<T>(fn: () => T): T {
    return this.tidy(null, fn);
  }

  /** Runs a kernel: makes its outputs and, while the tape records, saves what its gradient needs. */
  kernel(name: string, inputs: Record<string, SymTensor>, outputs: OutputSpec[], grad?: GradConfig): SymTensor[] {
    const tapeOn = this.gradientDepth > 0 && this.kernelDepth === 0;
    this.kernelDepth++;
    this.opStack.push(name);
    let outs: SymTensor[];
    let saved: SymTensor[] = [];
    try {
      outs = outputs.map((o) => (o.share ? this.register(o.share.data, o.shape, o.dtype, name) : this.makeTensor(o.shape, o.dtype)));
      if (tapeOn && grad) {
        const ins = grad.saveAllInputs ? Object.values(inputs) : (grad.inputsToSave ?? []).map((k) => inputs[k]);
        const toSave = [...ins, ...outs.filter((_, i) => grad.outputsToSave?.[i])];
        this.opStack.pop();
        saved = toSave.map((t) => this.markSaved(this.keep(this.clone(t))));
        this.opStack.push(name);
      }
    } finally {
      this.opStack.pop();
      this.kernelDepth--;
    }
    if (tapeOn) {
      this.tape!.push({
        id: this.nextNodeId++,
        inputs,
        outputs: outs,
        saved,
        gradient: grad ? (dys) => grad.gradFunc(dys[0], saved) : undefined,
        scope: this.path(),
      });
    }
    return outs;
  }

  private markSaved(t: SymTensor): SymTensor {
    this.upgrade(t.logical, "activation");
    this.upgrade(t.data.buffer, "activation");
    return t;
  }

  /** `tf.variable(t)`: shares `t`'s buffer; not tracked by scopes. */
  variable(t: SymTensor, name: string): SymTensor {
    return this.register(t.data, t.shape, t.dtype, "Variable", name);
  }

  /** `variable.assign(t)`: the variable lets go of its buffer and shares `t`'s. */
  assign(v: SymTensor, t: SymTensor): void {
    const name = v.variableName!;
    this.dispose(v);
    v.disposed = false;
    v.data = t.data;
    t.data.refs++;
    this.trackTensor(v, "Variable", name);
  }

  /** `tf.customGrad(f)`: f runs at kernel depth 1 in a tidy; `save` keeps clones for the gradient. */
  customGrad(
    inputs: SymTensor[],
    f: (save: (ts: SymTensor[]) => void) => { value: SymTensor; gradFunc: (dy: SymTensor, saved: SymTensor[]) => SymTensor[] },
  ): SymTensor {
    const tapeOn = this.gradientDepth > 0 && this.kernelDepth === 0;
    let saved: SymTensor[] = [];
    let res: ReturnType<typeof f> | undefined;
    this.kernelDepth++;
    let value: SymTensor;
    try {
      value = this.tidy(null, () => {
        res = f((ts) => {
          if (tapeOn) saved = ts.map((t) => this.markSaved(this.keep(this.clone(t))));
        });
        return res.value;
      });
    } finally {
      this.kernelDepth--;
    }
    if (tapeOn) {
      const named: Record<string, SymTensor> = {};
      inputs.forEach((t, i) => (named[i] = t));
      this.tape!.push({
        id: this.nextNodeId++,
        inputs: named,
        outputs: [value],
        saved,
        gradient: (dys) => {
          const grads = res!.gradFunc(dys[0], saved);
          const thunks: GradThunks = {};
          grads.forEach((g, i) => (thunks[i] = () => g));
          return thunks;
        },
        scope: this.path(),
      });
    }
    return value;
  }

  /**
   * `engine.gradients(f, xs)` (what `tf.variableGrads` calls): forward under a tape in
   * `tidy("forward")`, backprop in `tidy("backward")`; `add` accumulates gradients.
   */
  gradients(f: () => SymTensor, xs: SymTensor[], add: (a: SymTensor, b: SymTensor) => SymTensor): { value: SymTensor; grads: SymTensor[] } {
    if (this.gradientDepth === 0) this.tape = [];
    this.gradientDepth++;
    let y: SymTensor;
    try {
      y = this.tidy("forward", f);
    } finally {
      this.gradientDepth--;
    }
    const tape = this.tape!;
    const filtered = filterTape(tape, xs, y);
    return this.tidy("backward", () => {
      const grads = new Map<number, SymTensor>();
      grads.set(y.id, this.makeTensor(y.shape, y.dtype));
      for (let i = filtered.length - 1; i >= 0; i--) {
        const node = filtered[i];
        const layer = /layer\d+/.exec(node.scope)?.[0];
        if (layer) this.markLayer(layer);
        const fwd = node.scope.replace(/^forward(\/|$)/, "");
        this.gradScope = fwd ? `backward/${fwd}` : "backward";
        try {
          const dys = node.outputs.map((o) => grads.get(o.id) ?? this.makeTensor(o.shape, o.dtype));
          if (!node.gradient) throw new Error("simulateStep: a tfjs kernel on the gradient path has no gradient");
          const thunks = node.gradient(dys);
          for (const name of Object.keys(node.inputs)) {
            const dx = this.tidy(null, thunks[name]);
            const x = node.inputs[name];
            const cur = grads.get(x.id);
            if (cur === undefined) grads.set(x.id, dx);
            else {
              grads.set(x.id, add(cur, dx));
              this.dispose(cur);
            }
          }
        } finally {
          this.gradScope = null;
        }
      }
      const out = xs.map((x) => grads.get(x.id)!);
      for (const node of tape) for (const t of node.saved) this.dispose(t);
      this.tape = null;
      return { value: y, grads: out };
    });
  }

  /** Writes the recorded events into a trace builder: physical buffers, logical ones, phase and layer marks. */
  emit(tb: TraceBuilder): void {
    let phase = "";
    for (const e of this.events) {
      if ("mark" in e) {
        tb.mark(e.mark, "layer");
        continue;
      }
      if (e.phase !== phase) {
        tb.mark(e.phase, "phase");
        phase = e.phase;
      }
      const b = e.buffer;
      if (e.alloc) {
        b.id = tb.alloc({
          bytes: b.bytes,
          category: b.category,
          dtype: b.dtype,
          shape: b.shape,
          op: b.op,
          scope: b.scope,
          phase: b.phase,
          ...(b.logical ? { view: "logical" as const } : {}),
        });
      } else tb.free(b.id);
    }
  }
}

function collect(x: unknown, out: Set<SymTensor>): void {
  if (x instanceof SymTensor) out.add(x);
  else if (Array.isArray(x)) for (const v of x) collect(v, out);
  else if (x !== null && typeof x === "object") for (const v of Object.values(x)) collect(v, out);
}

/** `getFilteredNodesXToY` of tfjs-core's tape.js: nodes on a path from xs to y, inputs pruned to those from xs. */
function filterTape(tape: TapeNode[], xs: SymTensor[], y: SymTensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const input of Object.values(node.inputs)) {
      if (fromX.has(input.id)) {
        for (const o of node.outputs) fromX.add(o.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  const leadsToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => leadsToY.has(o.id))) {
      for (const input of Object.values(node.inputs)) {
        leadsToY.add(input.id);
        nodesToY.add(node.id);
      }
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const pruned: Record<string, SymTensor> = {};
    for (const [k, v] of Object.entries(node.inputs)) if (fromX.has(v.id)) pruned[k] = v;
    out.push({ ...node, inputs: pruned });
  }
  return out;
}
