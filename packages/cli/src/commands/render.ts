import { Option, type Command } from "commander";
import { eventCount, replay, type View } from "@hbmscope/core";
import { ALLOCATORS } from "../allocators.js";
import { segmentChart, timelineChart, type Figure } from "@hbmscope/viz";
import { intArg } from "../args.js";
import { CliError } from "../cliError.js";
import { formatBytes } from "@hbmscope/core";
import type { Io } from "../io.js";
import { viewOption } from "../options.js";
import { readTraceFile } from "../readTraceFile.js";
import { readProgress } from "../progress.js";
import { sayImportWarnings } from "../sayImportWarnings.js";
import { writeOutput } from "../writeOutput.js";
import { checkOutputs } from "../checkOutputs.js";
import type { Expectation } from "../monitor/expectation.js";
import { monitorFigure } from "../monitor/monitorFigure.js";
import { traceSubtitle } from "../traceSubtitle.js";

interface RenderOptions {
  out: string;
  kind: "timeline" | "segments";
  allocator?: string;
  view: View;
  x?: "event" | "op" | "time";
  width: number;
  height: number;
  json?: boolean;
}

export function registerRender(program: Command, io: Io) {
  program
    .command("render")
    .description("draw a trace as a standalone SVG: live bytes by category over the step (timeline), or an allocator's memory map (segments)")
    .argument("<trace.json>", "a trace file (hbmscope.trace version 1)")
    .requiredOption("-o, --out <file.svg>", "where to write the SVG (- for standard output)")
    .addOption(new Option("--kind <kind>", "which chart").choices(["timeline", "segments"]).default("timeline"))
    .addOption(
      new Option("--allocator <name>", "replay through this allocator model: the timeline gets the reserved line, segments its memory map (default caching)").choices(
        Object.keys(ALLOCATORS),
      ),
    )
    .addOption(viewOption())
    .addOption(new Option("--x <axis>", "horizontal axis of the timeline: event index, op call (a loop\'s repeated kernels share one) or time (ms, where every event has one) (default: op for tfjs traces, time for imported PyTorch snapshots, else event)").choices(["event", "op", "time"]))
    .option("--width <px>", "width in pixels", intArg("--width", 200, 16384), 800)
    .option("--height <px>", "height in pixels", intArg("--height", 150, 16384), 400)
    .option("--json", "print one JSON object describing what was written (sizes in bytes)")
    .action((file: string, opts: RenderOptions) => {
      const { toStdout } = checkOutputs(io, [{ flag: "--out", path: opts.out }], [file], opts.json);
      const trace = readTraceFile(file, io.cwd, { onRead: readProgress(io, file) });
      sayImportWarnings(trace, file, io);
      // A run `hbmscope monitor` recorded holds only counters: draw them (with its prediction, if any).
      const counterOnly = opts.kind === "timeline" && !opts.allocator && eventCount(trace) === 0 && (trace.counters?.length ?? 0) > 0;
      const allocatorName = opts.allocator ?? (opts.kind === "segments" ? "caching" : undefined);
      if (opts.kind === "segments" && allocatorName === "ideal") {
        throw new CliError("--kind segments needs an allocator that places blocks; --allocator accepts caching, bfc, planned here (ideal has no addresses)", 2);
      }
      const run = allocatorName ? replay(trace, ALLOCATORS[allocatorName](trace), { view: opts.view }) : undefined;
      let fig: Figure;
      try {
        fig = counterOnly
          ? monitorFigure(trace.counters!, trace.meta.expect as Expectation | undefined, { width: opts.width, height: opts.height })
          : opts.kind === "segments"
            ? segmentChart(run!, trace, { width: opts.width, height: opts.height, subtitle: traceSubtitle(trace) })
            : timelineChart(trace, { run, view: opts.view, x: opts.x, width: opts.width, height: opts.height, subtitle: traceSubtitle(trace) });
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      const path = writeOutput(opts.out, fig.svg, io, "--out");
      const bytes = Buffer.byteLength(fig.svg);
      if (opts.json) {
        io.stdout(JSON.stringify({ out: path, kind: opts.kind, allocator: allocatorName ?? null, view: opts.view, width: fig.width, height: fig.height, bytes, title: fig.title }) + "\n");
        return;
      }
      (toStdout ? io.stderr : io.stdout)(`wrote ${toStdout ? "standard output" : opts.out}: ${counterOnly ? "counters (monitored run)" : opts.kind}${allocatorName ? ` (${allocatorName} allocator)` : ""}, ${fig.width}x${fig.height}, ${formatBytes(bytes)}\n`);
    });
}
