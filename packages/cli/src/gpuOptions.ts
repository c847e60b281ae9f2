import { parseByteSize } from "@hbmscope/core";
import { gpu as toGpu, overhead, usableBytes, type Gpu, type OverheadDefaults } from "@hbmscope/model";
import { InvalidArgumentError, type Command } from "commander";
import { CliError } from "./cliError.js";

/** The reserve flags, shared by `estimate`, `simulate` and `replay` (sizes in bytes once parsed). */
export interface ReserveFlags {
  cudaContext?: number;
  cublasWorkspace?: number;
}

/** A byte-size flag: bytes or a size with a unit (512MiB, 1G), named in the error. */
export function sizeArg(flag: string) {
  return (value: string): number => {
    try {
      return parseByteSize(value, flag);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
}

/**
 * Adds `--cuda-context` and `--cublas-workspace`: the reserve, memory a process holds outside the
 * step's tensors. `estimate` adds it to its total; `simulate` and `replay` give the allocator the
 * card minus it. Same flags, same defaults everywhere.
 */
export function addReserveOptions(cmd: Command): Command {
  return cmd
    .option("--cuda-context <size>", "reserve: CUDA context outside the allocator (default 512MiB)", sizeArg("--cuda-context"))
    .option("--cublas-workspace <size>", "reserve: cuBLAS workspace (default 8519680 bytes, PyTorch's :4096:2:16:8)", sizeArg("--cublas-workspace"));
}

/** The overhead changes the reserve flags ask for. */
export function reserveFromFlags(flags: ReserveFlags): Partial<OverheadDefaults> {
  const over: Partial<OverheadDefaults> = {};
  if (flags.cudaContext !== undefined) over.cudaContext = flags.cudaContext;
  if (flags.cublasWorkspace !== undefined) over.cublasWorkspace = flags.cublasWorkspace;
  return over;
}

/** A GPU from `--gpu` or `--capacity` (a card, a tier or a size); a usage error (exit 2) names the flag. */
export function gpuFromFlag(value: string, flag: string): Gpu {
  try {
    return toGpu(value);
  } catch (e) {
    throw new CliError(`${flag}: ${(e as Error).message.replace(/^gpu: /, "")}`, 2);
  }
}

/** What a replay is given for `--capacity`: the card, the reserve, and the bytes left for the step's tensors. */
export interface DeviceCapacity {
  gpu: { name: string; bytes: number; source: string };
  /** Bytes held outside the step's tensors (CUDA context + cuBLAS workspace). */
  reserve: number;
  /** gpu.bytes - reserve: the allocator's capacity. */
  usable: number;
}

/** The device capacity of `--capacity` with the reserve flags, or undefined without `--capacity`. */
export function capacityFromFlags(capacity: string | undefined, flags: ReserveFlags): DeviceCapacity | undefined {
  if (capacity === undefined) return undefined;
  const g = gpuFromFlag(capacity, "--capacity");
  const over = reserveFromFlags(flags);
  const reserve = overhead(over).bytes;
  if (g.bytes <= reserve) {
    throw new CliError(`--capacity: ${capacity} (${g.bytes} bytes) does not hold the reserve of ${reserve} bytes (--cuda-context + --cublas-workspace)`, 2);
  }
  return { gpu: { name: g.name, bytes: g.bytes, source: g.source }, reserve, usable: usableBytes(g, over) };
}
