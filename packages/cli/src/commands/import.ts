import { resolve } from "node:path";
import { eventCount, bufferCount, serializeTraceChunks, snapshotReserved, timeline, type SnapshotError, type SnapshotMeta, type Trace } from "@hbmscope/core";
import type { Command } from "commander";
import { intArg } from "../args.js";
import { importSnapshotFile } from "../importSnapshotFile.js";
import { readProgress } from "../progress.js";
import { CliError } from "../cliError.js";
import { formatBytes } from "@hbmscope/core";
import type { Io } from "../io.js";
import { writeOutput } from "../writeOutput.js";
import { checkOutputs } from "../checkOutputs.js";

/** What `hbmscope import --json` prints. Sizes in bytes. */
export function importReport(trace: Trace, out: string) {
  const torch = trace.meta.torch as SnapshotMeta;
  const reserved = snapshotReserved(trace) ?? new Float64Array(0);
  const tl = timeline(trace);
  let reservedPeak = torch.reservedAtStart;
  for (const r of reserved) if (r > reservedPeak) reservedPeak = r;
  return {
    out,
    device: torch.device,
    events: eventCount(trace),
    buffers: bufferCount(trace),
    ghosts: torch.ghosts,
    actions: torch.actions,
    peakBytes: tl.peak.bytes,
    peakIndex: tl.peak.index,
    peakScope: tl.peak.scope,
    reservedAtStartBytes: torch.reservedAtStart,
    reservedPeakBytes: reservedPeak,
    reservedEndBytes: reserved.length > 0 ? reserved[reserved.length - 1] : torch.reservedAtStart,
    segments: torch.segments.length,
    ooms: torch.ooms,
    allocatorSettings: torch.allocatorSettings,
    warnings: torch.warnings,
  };
}

export function registerImport(program: Command, io: Io) {
  program
    .command("import")
    .description("read a PyTorch memory snapshot (torch.cuda.memory._dump_snapshot pickle, or JSON) into an hbmscope trace")
    .argument("<snapshot>", "a snapshot file (.pickle or .json)")
    .requiredOption("-o, --out <trace.json>", "where to write the trace (- for standard output)")
    .option("--device <n>", "which device's history to import (default: the one with the most entries)", intArg("--device", 0, 2 ** 16))
    .option("--strict", "refuse an inconsistent snapshot (overlapping segments or live blocks, an alloc outside every segment, an unknown action, time running back, ...) instead of importing it with warnings")
    .option("--json", "print one JSON object (sizes in bytes)")
    .action((file: string, opts: { out: string; device?: number; strict?: boolean; json?: boolean }) => {
      const { toStdout } = checkOutputs(io, [{ flag: "--out", path: opts.out }], [file], opts.json);
      let trace: Trace;
      try {
        trace = importSnapshotFile(resolve(io.cwd, file), { device: opts.device, strict: opts.strict, onRead: readProgress(io, file) });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // A file without the device asked for is fine; the flag is what is wrong.
        if ((e as SnapshotError).option === "device") throw new CliError(`--device ${opts.device}: ${(e as Error).message.replace(/^importTorchSnapshot: /, "")}`, 2);
        throw new CliError(code ? `cannot read snapshot ${file}: ${code}` : `${file}: ${(e as Error).message}`);
      }
      writeOutput(opts.out, serializeTraceChunks(trace), io);
      const report = importReport(trace, opts.out);
      if (opts.json) return io.stdout(JSON.stringify(report) + "\n");
      (toStdout ? io.stderr : io.stdout)(
        [
          `${file}: device ${report.device}, ${report.events} events, ${report.buffers} buffers (${report.ghosts} alive before recording started)`,
          `live peak ${formatBytes(report.peakBytes)} at event ${report.peakIndex}${report.peakScope ? ` (${report.peakScope})` : ""}`,
          `reserved by PyTorch: ${formatBytes(report.reservedAtStartBytes)} at start, peak ${formatBytes(report.reservedPeakBytes)}, ${formatBytes(report.reservedEndBytes)} at the end, ${report.segments} segments held`,
          ...report.ooms.map((o) => `out of memory before event ${o.at}: ${formatBytes(o.bytes)} requested, ${formatBytes(o.deviceFree)} free on the device`),
          ...report.warnings.slice(0, 10).map((w) => `warning: ${w}`),
          toStdout ? "wrote the trace to standard output" : `wrote ${opts.out}`,
          "",
        ].join("\n"),
      );
    });
}
