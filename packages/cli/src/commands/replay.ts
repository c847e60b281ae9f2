import { eventCount, ideal, replay, type Trace, type View } from "@hbmscope/core";
import { ALLOCATORS, type AllocatorFlags } from "../allocators.js";
import { Option, type Command } from "commander";
import { CliError } from "../cliError.js";
import { formatBytes } from "@hbmscope/core";
import type { Io } from "../io.js";
import { viewOption } from "../options.js";
import { readTraceFile } from "../readTraceFile.js";
import { planProgress, readProgress } from "../progress.js";
import { sayImportWarnings } from "../sayImportWarnings.js";
import { table } from "../table.js";
import { snapshotCheck } from "../snapshotCheck.js";
import { addReserveOptions, capacityFromFlags, type DeviceCapacity, type ReserveFlags } from "../gpuOptions.js";

/** Exit code of every command when the step does not fit (estimate) or an allocation does not (replay, simulate). */
export const OOM_EXIT_CODE = 3;

/**
 * What `hbmscope replay --json` prints. Sizes in bytes. `device` (from `--capacity`): the card, the
 * reserve (held outside the allocator), and `usable` = card - reserve, what the allocator gets;
 * `capacity` is the card's.
 */
export function replayReport(trace: Trace, allocatorName: string, options: { device?: DeviceCapacity; view?: View } & AllocatorFlags = {}) {
  const make = ALLOCATORS[allocatorName];
  if (!make) throw new CliError(`--allocator: unknown allocator ${JSON.stringify(allocatorName)}; accepted: ${Object.keys(ALLOCATORS).join(", ")}`, 2);
  const { expandableSegments, onProgress, device, view } = options;
  const run = replay(trace, make(trace, { expandableSegments, onProgress }), { view, capacity: device?.gpu.bytes, outside: device?.reserve });
  // The ideal allocator's reserved bytes are the live bytes, which every replay records as
  // `requested`: a replay that reached the end has the ideal peak already (the same sums, in the
  // same order); one stopped by OOM replays the ideal over the whole trace.
  const idealPeak = allocatorName === "ideal" || run.oom === null ? run.peaks.requested.bytes : replay(trace, ideal(), { view: run.view }).peaks.reserved.bytes;
  return {
    allocator: run.allocator,
    view: run.view,
    capacity: run.capacity,
    device: device ?? null,
    events: eventCount(trace),
    replayedEvents: run.length,
    reservedPeak: run.peaks.reserved.bytes,
    reservedPeakIndex: run.peaks.reserved.index,
    allocatedPeak: run.peaks.allocated.bytes,
    requestedPeak: run.peaks.requested.bytes,
    idealPeak,
    overheadOverIdeal: idealPeak > 0 ? run.peaks.reserved.bytes / idealPeak - 1 : 0,
    fragmentationAtPeak: run.fragmentationAtPeak,
    segments: run.segments.length,
    oom: run.oom,
    snapshot: snapshotCheck(trace, run),
  };
}

export function registerReplay(program: Command, io: Io) {
  const cmd = program
    .command("replay")
    .description("replay a trace through an allocator model: reserved vs allocated vs requested peaks, fragmentation, out of memory")
    .argument("<trace.json>", "a trace file (hbmscope.trace version 1), or a PyTorch memory snapshot (.pickle or .json)")
    .addOption(new Option("--allocator <name>", "allocator model").choices(Object.keys(ALLOCATORS)).default("caching"))
    .option("--capacity <gpu|size>", "the device: a card (RTX 4090), a tier (24GB) or a size (80GiB, bytes); the allocator gets it minus the reserve; exit code 3 when exceeded")
    .addOption(viewOption("backend"))
    .addOption(
      new Option("--expandable-segments <on|off>", "caching allocator: PyTorch's expandable_segments (default: the snapshot's own setting, else off)").choices(["on", "off"]),
    )
    .option("--json", "print one JSON object (sizes in bytes)");
  addReserveOptions(cmd)
    .action((file: string, opts: { allocator: string; capacity?: string; view: View; expandableSegments?: "on" | "off"; json?: boolean } & ReserveFlags) => {
      const expandableSegments = opts.expandableSegments === undefined ? undefined : opts.expandableSegments === "on";
      const notes: string[] = [];
      if (opts.expandableSegments !== undefined && opts.allocator !== "caching") {
        notes.push(`--expandable-segments has no effect with --allocator ${opts.allocator}: it is a setting of PyTorch's caching allocator`);
      }
      for (const n of notes) io.stderr(`note: ${n}\n`);
      const device = capacityFromFlags(opts.capacity, opts);
      // The replay needs the buffers' sizes and categories only: their other fields are read
      // again from the file if an out-of-memory report names one.
      const trace = readTraceFile(file, io.cwd, { onRead: readProgress(io, file), rows: "reread" });
      sayImportWarnings(trace, file, io);
      const report = replayReport(trace, opts.allocator, { device, view: opts.view, expandableSegments, onProgress: planProgress(io) });
      io.stdout(opts.json ? JSON.stringify({ ...report, notes }) + "\n" : renderReplay(file, report));
      if (report.oom) throw new CliError(report.oom.message, OOM_EXIT_CODE);
    });
}

function renderReplay(file: string, r: ReturnType<typeof replayReport>): string {
  const f = r.fragmentationAtPeak;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return [
    `${file}: ${r.allocator.name} allocator, ${r.view} view, ${r.replayedEvents} of ${r.events} events replayed${r.device ? `, capacity ${capacityText(r.device)}` : ""}`,
    table([
      ["", "peak", "event"],
      ["reserved", formatBytes(r.reservedPeak), r.reservedPeakIndex],
      ["allocated", formatBytes(r.allocatedPeak), ""],
      ["requested", formatBytes(r.requestedPeak), ""],
      ["ideal (live bytes)", formatBytes(r.idealPeak), ""],
    ]).trimEnd(),
    `reserved over ideal: +${pct(r.overheadOverIdeal)} (${r.segments} segments)`,
    `fragmentation at the reserved peak (event ${f.index}): internal ${formatBytes(f.internal)}, free in segments ${formatBytes(f.external)}, largest free block ${formatBytes(f.largestFree)}, TensorFlow ratio ${f.ratio.toFixed(3)}`,
    r.oom ? `OUT OF MEMORY at event ${r.oom.index}` : "",
    ...(r.snapshot ? renderSnapshotCheck(r.snapshot) : []),
    "",
  ].join("\n");
}

function renderSnapshotCheck(s: NonNullable<ReturnType<typeof snapshotCheck>>): string[] {
  const lines = [`PyTorch recorded: reserved peak ${formatBytes(s.pytorchReservedPeak)}, ${formatBytes(s.pytorchReservedEnd)} at the end`];
  if (s.comparison) {
    lines.push(
      s.comparison.findings.length === 0
        ? `the caching model reproduces PyTorch's segments (${s.comparison.segmentSizes.torch.length}), reserved bytes and ${s.comparison.blocks.checked} live block sizes`
        : `the caching model differs from PyTorch's record: ${s.comparison.findings.slice(0, 5).join("; ")}`,
    );
  }
  return lines;
}

/** `RTX 4090 (23.99 GiB) - reserve 520.13 MiB = 23.48 GiB`: the card, the reserve, what the allocator gets. */
export function capacityText(d: DeviceCapacity): string {
  return `${d.gpu.name} (${formatBytes(d.gpu.bytes)}) - reserve ${formatBytes(d.reserve)} = ${formatBytes(d.usable)}`;
}
