import type { Term } from "./term.js";

/** Memory a framework holds outside the tensors of the step. Bytes; each a named default you can change. */
export interface OverheadDefaults {
  /**
   * The CUDA context (module images, kernels, runtime heaps): memory nvidia-smi shows but the
   * caching allocator never sees. Several hundred MiB on recent GPUs with lazy module loading
   * (CUDA_MODULE_LOADING=LAZY, the default since CUDA 12.2 and PyTorch 2.x); the PyTorch docs
   * (notes/cuda, "Memory management") tell users to expect it on top of reserved memory.
   * @defaultValue 512 MiB
   */
  cudaContext: number;
  /**
   * cuBLAS workspace of one handle/stream, allocated through the caching allocator:
   * `CUBLAS_WORKSPACE_CONFIG` default ":4096:2:16:8" (2 × 4096 KiB + 8 × 16 KiB) before Hopper,
   * per PyTorch `aten/src/ATen/cuda/CublasHandlePool.cpp`; ":4096:8" = 32 MiB on sm90.
   * @defaultValue 8,519,680 bytes
   */
  cublasWorkspace: number;
  /** Anything else you want counted (NCCL buffers, a data loader's pinned tensors on the device). @defaultValue 0 */
  extra: number;
}

export const overheadDefaults: Readonly<OverheadDefaults> = Object.freeze({
  cudaContext: 512 * 2 ** 20,
  cublasWorkspace: 2 * 4096 * 1024 + 8 * 16 * 1024,
  extra: 0,
});

export interface Overhead extends Term {
  items: { name: keyof OverheadDefaults; bytes: number; source: string }[];
}

const SOURCES: Record<keyof OverheadDefaults, string> = {
  cudaContext: "PyTorch docs notes/cuda 'Memory management' (context not counted in memory_reserved); CUDA lazy loading",
  cublasWorkspace: "PyTorch aten/src/ATen/cuda/CublasHandlePool.cpp, CUBLAS_WORKSPACE_CONFIG default :4096:2:16:8",
  extra: "user",
};

/** The overhead term from the defaults and the user's changes (bytes). */
export function overhead(options?: Partial<OverheadDefaults>): Overhead {
  if (options === undefined) return DEFAULT;
  return make(options);
}

function make(options: Partial<OverheadDefaults>): Overhead {
  const o = { ...overheadDefaults, ...options };
  const items = (Object.keys(overheadDefaults) as (keyof OverheadDefaults)[]).map((name) => {
    const bytes = o[name];
    if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`estimate: overhead.${name} must be a number of bytes >= 0, got ${String(bytes)}`);
    return { name, bytes, source: SOURCES[name] };
  });
  const bytes = items.reduce((s, i) => s + i.bytes, 0);
  return {
    bytes,
    formula: "cudaContext + cublasWorkspace + extra",
    source: "named defaults (overheadDefaults), each sourced; change them with options.overhead",
    items,
  };
}

const DEFAULT: Overhead = Object.freeze(make({}));
