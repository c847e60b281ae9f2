import {
  replay,
  toPerfettoChunks,
  toTorchSnapshot,
  writePickle,
  type ReplayRun,
  type View,
} from "@hbmscope/core";
import { Option, type Command } from "commander";
import { ALLOCATORS } from "../allocators.js";
import type { Io } from "../io.js";
import { viewOption } from "../options.js";
import { readTraceFile } from "../readTraceFile.js";
import { readProgress } from "../progress.js";
import { sayImportWarnings } from "../sayImportWarnings.js";
import { writeOutput } from "../writeOutput.js";
import { checkOutputs } from "../checkOutputs.js";

type AllocatorName = "none" | "caching" | "bfc" | "planned" | "ideal";

export function registerExport(program: Command, io: Io) {
  program
    .command("export")
    .description("write a trace for other viewers: Perfetto / chrome://tracing JSON, or a PyTorch memory snapshot for pytorch.org/memory_viz")
    .argument("<trace.json>", "a trace file (or a PyTorch snapshot)")
    .addOption(new Option("--format <format>", "what to write").choices(["perfetto", "torch-snapshot"]).makeOptionMandatory())
    .requiredOption("-o, --out <file>", "where to write it (torch-snapshot: .pickle for the viewer, .json for JSON; - for standard output)")
    .addOption(
      new Option("--allocator <name>", "replay through an allocator first: reserved/allocated counters (perfetto), its addresses and segments (torch-snapshot)")
        .choices(["none", ...Object.keys(ALLOCATORS)])
        .default("none"),
    )
    .addOption(viewOption())
    .option("--json", "print one JSON object (sizes in bytes)")
    .action((file: string, opts: { format: "perfetto" | "torch-snapshot"; out: string; allocator: AllocatorName; view: View; json?: boolean }) => {
      const { toStdout } = checkOutputs(io, [{ flag: "--out", path: opts.out }], [file], opts.json);
      const trace = readTraceFile(file, io.cwd, { onRead: readProgress(io, file) });
      sayImportWarnings(trace, file, io);
      const allocator = opts.allocator === "none" ? null : ALLOCATORS[opts.allocator](trace);
      const run: ReplayRun | undefined = allocator ? replay(trace, allocator, { view: opts.view }) : undefined;
      let bytes: number;
      let events: number;
      if (opts.format === "perfetto") {
        // Written in pieces: the JSON of a big trace is larger than one string can hold.
        const chunks = toPerfettoChunks(trace, { view: opts.view, run, name: file });
        let written = 0;
        let records = 0;
        const counted = function* () {
          let r = chunks.next();
          for (; !r.done; r = chunks.next()) {
            written += Buffer.byteLength(r.value);
            yield r.value;
          }
          records = r.value;
        };
        writeOutput(opts.out, counted(), io);
        bytes = written;
        events = records;
      } else {
        const snap = toTorchSnapshot(trace, { view: opts.view, run });
        const content = /\.json$/i.test(opts.out) ? JSON.stringify(snap) : writePickle(snap);
        writeOutput(opts.out, content, io);
        bytes = typeof content === "string" ? Buffer.byteLength(content) : content.length;
        events = snap.device_traces.reduce((s, t) => s + t.length, 0);
      }
      const report = { out: opts.out, format: opts.format, allocator: opts.allocator, view: opts.view, events, bytes };
      if (opts.json) return io.stdout(JSON.stringify(report) + "\n");
      (toStdout ? io.stderr : io.stdout)(`wrote ${toStdout ? "standard output" : opts.out}: ${opts.format}, ${events} events, ${bytes} bytes${run ? `, replayed through ${opts.allocator}` : ""}\n`);
    });
}
