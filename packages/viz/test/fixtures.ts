import { CATEGORIES, traceBuilder, traceColumns, type ReplayRun, type Trace, type TraceCounter } from "@hbmscope/core";

/**
 * A small deterministic training step: weights and inputs, a forward pass saving activations with
 * short-lived temporaries, a backward pass making gradients and freeing activations, an optimizer
 * step creating its state. `names` overrides op names (for the escaping tests).
 */
export function trainingStepTrace(options: { layers?: number; op?: string; phaseLabel?: string } = {}): Trace {
  const layers = options.layers ?? 4;
  const MiB = 2 ** 20;
  const b = traceBuilder({ source: "fixture" });
  let t = 0;
  b.mark("setup", "phase");
  const weights = Array.from({ length: layers }, (_, l) => b.alloc({ bytes: 8 * MiB, category: "weight", op: "Variable", scope: `layer${l}` }, t++));
  b.alloc({ bytes: 2 * MiB, category: "input", op: "Input" }, t++);
  b.mark(options.phaseLabel ?? "forward", "phase");
  const saved: number[] = [];
  for (let l = 0; l < layers; l++) {
    const tmp = b.alloc({ bytes: 6 * MiB, category: "temporary", op: "Softmax" }, t++);
    saved.push(b.alloc({ bytes: 5 * MiB + 1000 * l, category: "activation", op: l === layers - 1 && options.op ? options.op : "MatMul", scope: `forward/layer${l}` }, t++));
    b.free(tmp, t++);
  }
  b.mark("backward", "phase");
  const grads: number[] = [];
  for (let l = layers - 1; l >= 0; l--) {
    const tmp = b.alloc({ bytes: 7 * MiB, category: "temporary", op: "MatMulGrad" }, t++);
    grads.push(b.alloc({ bytes: 8 * MiB, category: "gradient", op: "MatMulGrad", scope: `backward/layer${l}` }, t++));
    b.free(tmp, t++);
    b.free(saved[l], t++);
  }
  b.mark("optimizer", "phase");
  for (let l = 0; l < layers; l++) {
    b.alloc({ bytes: 16 * MiB, category: "optimizer", op: "AdamState" }, t++);
    b.free(grads[layers - 1 - l], t++);
  }
  void weights;
  return b.build();
}

/**
 * A ReplayRun from a simple first-fit allocator (512-byte rounding, 16 MiB segments or larger):
 * a hand-built run following the `ReplayRun` type, for chart tests only.
 */
export function firstFitRun(trace: Trace, segmentBytes = 16 * 2 ** 20): ReplayRun {
  const { bytes, eventBuffer, eventAlloc } = traceColumns(trace);
  const n = eventBuffer.length;
  const reserved = new Float64Array(n);
  const allocated = new Float64Array(n);
  const requested = new Float64Array(n);
  const freeInReserved = new Float64Array(n);
  const address = new Float64Array(bytes.length).fill(-1);
  const blockBytes = new Float64Array(bytes.length);
  const segmentOf = new Int32Array(bytes.length).fill(-1);
  const allocAt = new Int32Array(bytes.length).fill(-1);
  const freeAt = new Int32Array(bytes.length).fill(-1);
  const segments: ReplayRun["segments"] = [];
  const blocks: { segment: number; start: number; end: number }[][] = [];
  let res = 0, alc = 0, req = 0;
  const peaks = { reserved: { bytes: 0, index: -1 }, allocated: { bytes: 0, index: -1 }, requested: { bytes: 0, index: -1 } };
  for (let i = 0; i < n; i++) {
    const b = eventBuffer[i];
    const size = Math.max(512, Math.ceil(bytes[b] / 512) * 512);
    if (eventAlloc[i]) {
      let placed = false;
      for (let s = 0; s < segments.length && !placed; s++) {
        const used = blocks[s].slice().sort((p, q) => p.start - q.start);
        let at = segments[s].address;
        for (const u of used) {
          if (u.start - at >= size) break;
          at = Math.max(at, u.end);
        }
        if (segments[s].address + segments[s].bytes - at >= size) {
          blocks[s].push({ segment: b, start: at, end: at + size });
          address[b] = at;
          segmentOf[b] = s;
          placed = true;
        }
      }
      if (!placed) {
        const segSize = Math.max(segmentBytes, Math.ceil(size / (2 * 2 ** 20)) * 2 * 2 ** 20);
        const last = segments[segments.length - 1];
        const at = last ? last.address + last.bytes : 0;
        segments.push({ address: at, bytes: segSize, pool: "large", reservedAt: i, releasedAt: -1 });
        blocks.push([{ segment: b, start: at, end: at + size }]);
        address[b] = at;
        segmentOf[b] = segments.length - 1;
        res += segSize;
      }
      blockBytes[b] = size;
      allocAt[b] = i;
      alc += size;
      req += bytes[b];
    } else {
      const s = segmentOf[b];
      blocks[s] = blocks[s].filter((u) => u.segment !== b);
      freeAt[b] = i;
      alc -= size;
      req -= bytes[b];
    }
    reserved[i] = res;
    allocated[i] = alc;
    requested[i] = req;
    freeInReserved[i] = res - alc;
    if (res > peaks.reserved.bytes) peaks.reserved = { bytes: res, index: i };
    if (alc > peaks.allocated.bytes) peaks.allocated = { bytes: alc, index: i };
    if (req > peaks.requested.bytes) peaks.requested = { bytes: req, index: i };
  }
  const at = peaks.reserved.index;
  return {
    allocator: { name: "first-fit (test)" },
    view: "physical",
    capacity: null,
    length: n,
    reserved,
    allocated,
    requested,
    peaks,
    freeInReserved,
    fragmentationAtPeak: {
      index: at,
      reserved: at >= 0 ? reserved[at] : 0,
      allocated: at >= 0 ? allocated[at] : 0,
      requested: at >= 0 ? requested[at] : 0,
      internal: at >= 0 ? allocated[at] - requested[at] : 0,
      external: at >= 0 ? reserved[at] - allocated[at] : 0,
      largestFree: 0,
      ratio: 0,
    },
    address,
    blockBytes,
    segmentOf,
    allocAt,
    freeAt,
    requestedBytes: bytes.slice(),
    segments,
    oom: null,
  };
}

export { CATEGORIES };

/**
 * Scenarios for a 7B-parameter model, bytes per parameter from DESIGN.md's precision table:
 * full fine-tune with `mixed` precision (2 + 2 + 12 B/param), LoRA (bf16 frozen weights, rank-16
 * adapters on ~0.6% of the parameters with `mixed` precision), QLoRA (NF4 weights at ~0.5 B/param
 * plus quantisation constants). Activations: batch 1, seq 2048, with checkpointing.
 */
export function sevenBScenarios() {
  const P = 7e9;
  const adapters = 0.006 * P;
  const activations = 3.2e9;
  return [
    { label: "full, mixed", parts: [{ name: "weights", bytes: 2 * P }, { name: "gradients", bytes: 2 * P }, { name: "optimizer", bytes: 12 * P }, { name: "activations", bytes: activations }] },
    { label: "LoRA r=16", parts: [{ name: "weights", bytes: 2 * P + 2 * adapters }, { name: "gradients", bytes: 2 * adapters }, { name: "optimizer", bytes: 12 * adapters }, { name: "activations", bytes: activations }] },
    { label: "QLoRA r=16", parts: [{ name: "weights", bytes: 0.5 * P * 1.03 + 2 * adapters }, { name: "gradients", bytes: 2 * adapters }, { name: "optimizer", bytes: 12 * adapters }, { name: "activations", bytes: activations }] },
  ];
}

/**
 * A synthetic `compare-attention --json` result shaped like the measured one (notes/tfjs-memory.md:
 * naive training step 15.7, 36.3, 98.8, 309.4 MiB at seq 128..1024 on cpu; flash 86 MiB at 1024):
 * naive grows with S², chunked less, flash about linearly. Forward rows are a third of training.
 */
export function attentionComparison() {
  const MiB = 2 ** 20;
  const naiveTrain: Record<number, number> = { 128: 15.7, 256: 36.3, 512: 98.8, 1024: 309.4 };
  const rows = [];
  for (const mode of ["forward", "train"]) {
    for (const seq of [128, 256, 512, 1024]) {
      const naive = naiveTrain[seq] * MiB * (mode === "train" ? 1 : 1 / 3);
      const linear = (naiveTrain[128] * MiB * seq) / 128 / (mode === "train" ? 1 : 3);
      const values: Record<string, number> = { naive, chunked: (naive + linear) / 2, "chunked-recompute": linear * 1.4, flash: linear * 1.1 };
      for (const variant of ["naive", "chunked", "chunked-recompute", "flash"]) {
        const b = Math.round(values[variant]);
        rows.push({ variant, seq, mode, peak: { logical: Math.round(b * 1.2), physical: b, backend: Math.round(b * 1.05) }, attentionExtraBytes: 0, stepMs: seq / 10, maxGradDiff: 0 });
      }
    }
  }
  return { rows };
}

/**
 * Two GPUs' used memory sampled every 200 ms over 12 s of a data-parallel run (bytes): the CUDA
 * context first, the weights loaded at 1 s, then a saw-tooth of training steps up to a peak.
 */
export function monitorRun(): TraceCounter[] {
  const MiB = 2 ** 20;
  const capacity = 81559 * MiB;
  return [0, 1].map((device) => {
    const samples: [number, number][] = [];
    for (let k = 0; k <= 60; k++) {
      const t = k * 200;
      const loaded = t >= 1000 ? 14_000 : 500;
      const step = t >= 2000 ? ((k % 10) / 9) * (30_000 + 1500 * device) + 16_000 : 0;
      samples.push([t, Math.round((loaded + step) * MiB)]);
    }
    return { name: "used", device, unit: "bytes", capacity, samples };
  });
}
