/**
 * The Trace: hbmscope's one seam between packages (see DESIGN.md, "The Trace").
 * Plain, versioned JSON. Sizes are always bytes.
 */

/** What a buffer holds. */
export type Category =
  | "weight"
  | "gradient"
  | "optimizer"
  | "activation"
  | "temporary"
  | "input"
  | "other";

/** Every category, in the order charts stack them (bottom first). */
export const CATEGORIES: readonly Category[] = [
  "weight",
  "optimizer",
  "gradient",
  "activation",
  "input",
  "temporary",
  "other",
];

/** The phases of a training step, in order. Traces may use other phase names too. */
export const PHASES = ["setup", "forward", "backward", "optimizer"] as const;

/**
 * Which memory view a buffer belongs to.
 * - `physical` (default): a unique data buffer; counted in the physical and backend views.
 * - `logical`: a tensor reference (what `tf.memory().numBytes` counts); counted in the logical view only.
 * Kernel-internal temporaries are `physical` buffers with `kernelTemp: true`: counted in the backend view only.
 */
export type BufferView = "physical" | "logical";

/** The three memory views a trace can be read in. */
export type View = "logical" | "physical" | "backend";

/** One allocation unit. */
export interface TraceBuffer {
  /** Unique, non-negative integer id. */
  id: number;
  /** Size in bytes: a non-negative integer. */
  bytes: number;
  category: Category;
  dtype?: string;
  shape?: number[];
  /** The kernel or op that created it. */
  op?: string;
  /** Scope path, `/`-separated (e.g. `forward/layer0/attn`). */
  scope?: string;
  phase?: string;
  /** A kernel-internal temporary that never became a tensor (backend view only). */
  kernelTemp?: boolean;
  /** Defaults to `physical`. */
  view?: BufferView;
  /** Any further fields are kept as they are. */
  [extra: string]: unknown;
}

export interface TraceEvent {
  kind: "alloc" | "free";
  /** A buffer id. */
  buffer: number;
  /** Time in milliseconds from the start of the trace (optional). */
  time?: number;
  [extra: string]: unknown;
}

export interface TraceMark {
  /** Event index the mark stands before (0..events.length). */
  at: number;
  label: string;
  /** `phase` marks start a phase named by `label`; `layer` marks a layer boundary. */
  kind?: "phase" | "layer" | "note" | string;
  [extra: string]: unknown;
}

export interface TraceMeta {
  /** Where the trace comes from: `tfjs`, `simulated`, `imported`, ... */
  source?: string;
  backend?: string;
  model?: unknown;
  setup?: unknown;
  [extra: string]: unknown;
}

/**
 * A quantity sampled over wall time on one device (a counter series): a GPU's used memory as
 * nvidia-smi reports it, or PyTorch's allocated / reserved bytes. Optional in Trace v1
 * (`trace.counters`); readers that do not know it keep it as an extra field.
 */
export interface TraceCounter {
  /**
   * What is counted: `used` (nvidia-smi `memory.used`: everything on the device, CUDA context
   * included), `allocated` / `reserved` (`torch.cuda.memory_allocated()` / `memory_reserved()`),
   * `peakAllocated` / `peakReserved` (`max_memory_allocated()` / `max_memory_reserved()`), or any name.
   */
  name: string;
  /** The device index (GPU 0, 1, ...): a non-negative integer. */
  device: number;
  /** Always `"bytes"` (may be left out). */
  unit?: "bytes";
  /** The device's total memory in bytes, when known (nvidia-smi `memory.total`). */
  capacity?: number;
  /** `[time, value]` pairs: milliseconds from the start of the run (never decreasing), bytes (a non-negative integer). */
  samples: [number, number][];
  [extra: string]: unknown;
}

export interface Trace {
  format: "hbmscope.trace";
  version: 1;
  meta: TraceMeta;
  buffers: TraceBuffer[];
  events: TraceEvent[];
  marks: TraceMark[];
  /** Sampled series (`hbmscope monitor`); optional, see `TraceCounter`. */
  counters?: TraceCounter[];
}
