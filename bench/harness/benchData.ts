import { createWriteStream, existsSync, mkdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serializeTraceChunks, type Trace } from "@hbmscope/core";
import { syntheticHistory, syntheticAllocatorSettings } from "../syntheticSnapshot.js";
import { syntheticTrace } from "../syntheticTrace.js";
import { trainingTrace } from "../trainingTrace.js";

/** The benchmark's input files, by name: each generated once, deterministically. */
export const benchFiles = {
  /** PyTorch snapshot JSON, 1M entries (over 128 MiB: the CLI reads it in chunks). */
  "snapshot-1m.json": () => snapshotJson(1_000_000),
  /** PyTorch snapshot JSON, 100k entries: where startup weighs most. */
  "snapshot-100k.json": () => snapshotJson(100_000),
  /** hbmscope trace, 3M events of bench/syntheticTrace. */
  "trace-3m.json": () => traceJson(syntheticTrace(3_000_000)),
  /** hbmscope trace, 1M events of Llama-2-7B training steps (bench/trainingTrace). */
  "training-1m.json": () => traceJson(trainingTrace(1_000_000)),
} as const;

export type BenchFile = keyof typeof benchFiles;

/** Where the files live: under the system's temporary folder, kept between runs. */
export const benchDataDir = join(tmpdir(), "hbmscope-bench-data-v1");

/** The path of `name`, generated first if it is not there (written to a temporary name, then renamed). */
export async function benchFile(name: BenchFile): Promise<string> {
  const path = join(benchDataDir, name);
  if (existsSync(path)) return path;
  mkdirSync(benchDataDir, { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  const out = createWriteStream(partial);
  for (const piece of benchFiles[name]()) {
    if (!out.write(piece)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  renameSync(partial, path);
  return path;
}

/** A snapshot as `JSON.stringify` writes it, in pieces of about a thousand entries. */
function* snapshotJson(entries: number): Generator<string> {
  const history = syntheticHistory(entries);
  yield '{"device_traces":[[';
  let batch: string[] = [];
  let first = true;
  for (const e of history.entries) {
    batch.push(JSON.stringify(e));
    if (batch.length === 1000) {
      yield (first ? "" : ",") + batch.join(",");
      first = false;
      batch = [];
    }
  }
  if (batch.length) yield (first ? "" : ",") + batch.join(",");
  yield `]],"segments":${JSON.stringify(history.segments())},"allocator_settings":${JSON.stringify(syntheticAllocatorSettings)}}`;
}

function* traceJson(trace: Trace): Generator<string> {
  yield* serializeTraceChunks(trace);
}
