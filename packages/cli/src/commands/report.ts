import { basename } from "node:path";
import { parseByteSize } from "@hbmscope/core";
import { REPORT_ALLOCATORS, reportHtml } from "@hbmscope/report";
import { InvalidArgumentError, Option, type Command } from "commander";
import { CliError } from "../cliError.js";
import { formatBytes } from "../formatBytes.js";
import type { Io } from "../io.js";
import { readTraceFile } from "../readTraceFile.js";
import { writeOutput } from "../writeOutput.js";

function capacityArg(value: string): number {
  try {
    return parseByteSize(value, "--capacity");
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function registerReport(program: Command, io: Io) {
  program
    .command("report")
    .description("write one self-contained, offline, interactive HTML report: zoomable timeline, buffer under the pointer, live set and memory map at an event, allocator and capacity what-ifs")
    .argument("<trace>", "a trace file (hbmscope.trace version 1), or a PyTorch memory snapshot (.pickle or .json)")
    .requiredOption("--out <report.html>", "where to write the HTML page")
    .option("--compare <other>", "a second trace or snapshot, aligned by phase, with the difference at each peak")
    .addOption(new Option("--allocator <name>", "the allocator the page opens with (caching+expandable: caching with expandable segments)").choices([...REPORT_ALLOCATORS]).default("caching"))
    .option("--capacity <bytes>", "device capacity the page opens with: bytes or a size with a unit (24GB, 80GiB)", capacityArg)
    .option("--json", "print one JSON object describing what was written (sizes in bytes)")
    .action((file: string, opts: { out: string; compare?: string; allocator: string; capacity?: number; json?: boolean }) => {
      const trace = readTraceFile(file, io.cwd);
      const other = opts.compare === undefined ? undefined : readTraceFile(opts.compare, io.cwd);
      let html: string;
      try {
        html = reportHtml(trace, {
          name: basename(file),
          compare: other && opts.compare ? { trace: other, name: basename(opts.compare) } : undefined,
          allocator: opts.allocator,
          capacity: opts.capacity ?? null,
        }).html;
      } catch (e) {
        throw new CliError(`report: ${(e as Error).message}`);
      }
      const path = writeOutput(opts.out, html, io.cwd, "--out");
      const bytes = Buffer.byteLength(html);
      if (opts.json) {
        io.stdout(JSON.stringify({ out: path, bytes, allocator: opts.allocator, capacity: opts.capacity ?? null, compare: opts.compare ?? null }) + "\n");
        return;
      }
      io.stdout(`wrote ${opts.out}: interactive report of ${file}${opts.compare ? ` vs ${opts.compare}` : ""}, ${formatBytes(bytes)}\n`);
    });
}
