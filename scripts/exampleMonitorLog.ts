/**
 * Writes examples/monitor/llama-2-7b-lora.smi.csv: a SYNTHETIC nvidia-smi log (the shape
 * `nvidia-smi --query-gpu=timestamp,index,memory.used,memory.total --format=csv -lms 200` writes)
 * of what one H100 would show if a Llama-2-7B LoRA run behaved exactly like hbmscope's simulated
 * step: the CUDA context and cuBLAS workspace (hbmscope's overhead defaults) while the script
 * starts, then the step's reserved bytes replayed through PyTorch's caching allocator, then the
 * reserved peak held for the steps that follow (the caching allocator keeps what it reserved).
 * It is no measurement: it exists so the guide's "estimate, then watch" example and its chart run
 * offline. `scripts/monitor-gpu/run.sh` records a real log on a GPU machine.
 *
 *   tsx --conditions=source scripts/exampleMonitorLog.ts
 */
import { writeFileSync } from "node:fs";
import { cachingAllocator, replay } from "@hbmscope/core";
import { defaultSetup, overhead, preset, simulateStep, withSetup } from "@hbmscope/model";

export const EXAMPLE_LOG = new URL("../examples/monitor/llama-2-7b-lora.smi.csv", import.meta.url).pathname;
/** The setup, as estimate flags (the guide passes the same to `--expect`). */
export const EXAMPLE_FLAGS = "--model llama-2-7b --method lora --attention flash --checkpointing full --batch 4 --seq 2048";

const MiB = 2 ** 20;
/** `memory.total` nvidia-smi reports for an H100 80GB HBM3 (modal-labs/modal-client PR #2797 lists 81559MiB). */
const H100_TOTAL_MIB = 81559;
const INTERVAL_MS = 200;
const STARTUP_MS = 1600; // CUDA context up, nothing allocated yet
const STEP_MS = 3000; // the first step's events, spread evenly
const END_MS = 9000;

/** The log's lines (header first), and the replayed reserved peak and the overhead, bytes. */
export function exampleMonitorLog(): { lines: string[]; reservedPeak: number; overhead: number } {
  const llama = preset("llama-2-7b");
  const setup = withSetup(defaultSetup, (d) => {
    d.method = "lora";
    d.attention = "flash";
    d.checkpointing = "full";
    d.batch = 4;
    d.seq = 2048;
  });
  const trace = simulateStep(llama, setup, { semantics: "eager" });
  const run = replay(trace, cachingAllocator());
  const context = overhead().bytes;
  const events = run.reserved.length;

  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const stamp = (ms: number) => {
    const d = new Date(Date.UTC(2026, 0, 15, 9, 30, 0) + ms);
    return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  };
  let peakSoFar = 0;
  const lines = ["timestamp, index, memory.used [MiB], memory.total [MiB]"];
  for (let t = 0; t <= END_MS; t += INTERVAL_MS) {
    let reserved = 0;
    if (t >= STARTUP_MS) {
      const i = Math.min(events - 1, Math.floor(((t - STARTUP_MS) / STEP_MS) * events));
      reserved = t - STARTUP_MS >= STEP_MS ? run.peaks.reserved.bytes : run.reserved[i];
      // The caching allocator never gives memory back without empty_cache: what nvidia-smi shows only grows.
      peakSoFar = Math.max(peakSoFar, reserved);
      reserved = peakSoFar;
    }
    lines.push(`${stamp(t)}, 0, ${Math.round((context + reserved) / MiB)} MiB, ${H100_TOTAL_MIB} MiB`);
  }
  return { lines, reservedPeak: run.peaks.reserved.bytes, overhead: context };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const { lines, reservedPeak, overhead: context } = exampleMonitorLog();
  writeFileSync(EXAMPLE_LOG, lines.join("\n") + "\n");
  console.log(`wrote ${EXAMPLE_LOG}: ${lines.length - 1} samples, reserved peak ${(reservedPeak / 1e9).toFixed(2)} GB + overhead ${(context / 1e9).toFixed(2)} GB`);
}
