import { basename } from "node:path";
import { formatBytes } from "@hbmscope/core";
import { REPORT_ALLOCATORS, reportHtml } from "@hbmscope/report";
import { Option, type Command } from "commander";
import { addReserveOptions, capacityFromFlags, type ReserveFlags } from "../gpuOptions.js";
import { CliError } from "../cliError.js";
import type { Io } from "../io.js";
import { readTraceFile } from "../readTraceFile.js";
import { writeOutput } from "../writeOutput.js";
import { checkOutputs } from "../checkOutputs.js";

export function registerReport(program: Command, io: Io) {
  const cmd = program
    .command("report")
    .description("write one self-contained, offline, interactive HTML report: zoomable timeline, buffer under the pointer, live set and memory map at an event, allocator and capacity what-ifs")
    .argument("<trace>", "a trace file (hbmscope.trace version 1), or a PyTorch memory snapshot (.pickle or .json)")
    .requiredOption("-o, --out <report.html>", "where to write the HTML page (- for standard output)")
    .option("--compare <other>", "a second trace or snapshot, aligned by phase, with the difference at each peak")
    .addOption(new Option("--allocator <name>", "the allocator the page opens with (caching+expandable: caching with expandable segments)").choices([...REPORT_ALLOCATORS]).default("caching"))
    .option("--capacity <gpu|size>", "the device the page opens with: a card (RTX 4090), a tier (24GB) or a size (80GiB, bytes); the allocator gets it minus the reserve, as in replay")
    .option("--json", "print one JSON object describing what was written (sizes in bytes)");
  addReserveOptions(cmd)
    .action((file: string, opts: { out: string; compare?: string; allocator: string; capacity?: string; json?: boolean } & ReserveFlags) => {
      const device = capacityFromFlags(opts.capacity, opts);
      const { toStdout } = checkOutputs(io, [{ flag: "--out", path: opts.out }], [file, opts.compare], opts.json);
      const trace = readTraceFile(file, io.cwd);
      const other = opts.compare === undefined ? undefined : readTraceFile(opts.compare, io.cwd);
      let html: string;
      try {
        html = reportHtml(trace, {
          name: basename(file),
          compare: other && opts.compare ? { trace: other, name: basename(opts.compare) } : undefined,
          allocator: opts.allocator,
          capacity: device?.gpu.bytes ?? null,
          // Without --capacity, a capacity typed in the page gets the default reserve too.
          reserve: device?.reserve ?? capacityFromFlags("1024GiB", opts)!.reserve,
        }).html;
      } catch (e) {
        throw new CliError(`report: ${(e as Error).message}`);
      }
      const path = writeOutput(opts.out, html, io, "--out");
      const bytes = Buffer.byteLength(html);
      if (opts.json) {
        io.stdout(JSON.stringify({ out: path, bytes, allocator: opts.allocator, capacity: device?.gpu.bytes ?? null, reserve: device?.reserve ?? null, compare: opts.compare ?? null }) + "\n");
        return;
      }
      (toStdout ? io.stderr : io.stdout)(`wrote ${toStdout ? "standard output" : opts.out}: interactive report of ${file}${opts.compare ? ` vs ${opts.compare}` : ""}, ${formatBytes(bytes)}\n`);
    });
}
