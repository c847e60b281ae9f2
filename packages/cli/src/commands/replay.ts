import { eventCount, ideal, parseByteSize, replay, type Trace, type View } from "@hbmscope/core";
import { ALLOCATORS, type AllocatorFlags } from "../allocators.js";
import { InvalidArgumentError, Option, type Command } from "commander";
import { CliError } from "../cliError.js";
import { formatBytes } from "../formatBytes.js";
import type { Io } from "../io.js";
import { viewOption } from "../options.js";
import { readTraceFile } from "../readTraceFile.js";
import { sayImportWarnings } from "../sayImportWarnings.js";
import { table } from "../table.js";
import { snapshotCheck } from "../snapshotCheck.js";

/** Exit code of `hbmscope replay` when an allocation does not fit in `--capacity`. */
export const OOM_EXIT_CODE = 3;

/** What `hbmscope replay --json` prints. Sizes in bytes. */
export function replayReport(trace: Trace, allocatorName: string, options: { capacity?: number; view?: View } & AllocatorFlags = {}) {
  const make = ALLOCATORS[allocatorName];
  if (!make) throw new CliError(`--allocator: unknown allocator ${JSON.stringify(allocatorName)}; accepted: ${Object.keys(ALLOCATORS).join(", ")}`, 2);
  const { expandableSegments, ...replayOptions } = options;
  const run = replay(trace, make(trace, { expandableSegments }), replayOptions);
  const idealRun = allocatorName === "ideal" ? run : replay(trace, ideal(), { view: run.view });
  return {
    allocator: run.allocator,
    view: run.view,
    capacity: run.capacity,
    events: eventCount(trace),
    replayedEvents: run.length,
    reservedPeak: run.peaks.reserved.bytes,
    reservedPeakIndex: run.peaks.reserved.index,
    allocatedPeak: run.peaks.allocated.bytes,
    requestedPeak: run.peaks.requested.bytes,
    idealPeak: idealRun.peaks.reserved.bytes,
    overheadOverIdeal: idealRun.peaks.reserved.bytes > 0 ? run.peaks.reserved.bytes / idealRun.peaks.reserved.bytes - 1 : 0,
    fragmentationAtPeak: run.fragmentationAtPeak,
    segments: run.segments.length,
    oom: run.oom,
    snapshot: snapshotCheck(trace, run),
  };
}

function capacityArg(value: string): number {
  try {
    return parseByteSize(value, "--capacity");
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function registerReplay(program: Command, io: Io) {
  program
    .command("replay")
    .description("replay a trace through an allocator model: reserved vs allocated vs requested peaks, fragmentation, out of memory")
    .argument("<trace.json>", "a trace file (hbmscope.trace version 1), or a PyTorch memory snapshot (.pickle or .json)")
    .addOption(new Option("--allocator <name>", "allocator model").choices(Object.keys(ALLOCATORS)).default("caching"))
    .option("--capacity <bytes>", "device capacity: bytes or a size with a unit (24GB, 80GiB); exit code 3 when exceeded", capacityArg)
    .addOption(viewOption("backend"))
    .addOption(
      new Option("--expandable-segments <on|off>", "caching allocator: PyTorch's expandable_segments (default: the snapshot's own setting, else off)").choices(["on", "off"]),
    )
    .option("--json", "print one JSON object (sizes in bytes)")
    .action((file: string, opts: { allocator: string; capacity?: number; view: View; expandableSegments?: "on" | "off"; json?: boolean }) => {
      const expandableSegments = opts.expandableSegments === undefined ? undefined : opts.expandableSegments === "on";
      const notes: string[] = [];
      if (opts.expandableSegments !== undefined && opts.allocator !== "caching") {
        notes.push(`--expandable-segments has no effect with --allocator ${opts.allocator}: it is a setting of PyTorch's caching allocator`);
      }
      for (const n of notes) io.stderr(`note: ${n}\n`);
      const trace = readTraceFile(file, io.cwd);
      sayImportWarnings(trace, file, io);
      const report = replayReport(trace, opts.allocator, { capacity: opts.capacity, view: opts.view, expandableSegments });
      io.stdout(opts.json ? JSON.stringify({ ...report, notes }) + "\n" : renderReplay(file, report));
      if (report.oom) throw new CliError(report.oom.message, OOM_EXIT_CODE);
    });
}

function renderReplay(file: string, r: ReturnType<typeof replayReport>): string {
  const f = r.fragmentationAtPeak;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return [
    `${file}: ${r.allocator.name} allocator, ${r.view} view, ${r.replayedEvents} of ${r.events} events replayed${r.capacity !== null ? `, capacity ${formatBytes(r.capacity)}` : ""}`,
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
