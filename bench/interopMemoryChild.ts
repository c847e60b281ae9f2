/**
 * Child process of the interop benchmark: imports one snapshot file and takes its timeline, then
 * prints its peak resident memory beyond what the process held before reading the file.
 * `argv[3]`: `stream` reads the file in chunks (`fileSource`, as the CLI does); `whole` reads it
 * into memory first and imports the bytes.
 */
import { readFileSync, statSync } from "node:fs";
import { eventCount, importTorchSnapshot, timeline, type Trace } from "@hbmscope/core";
import { fileSource } from "@hbmscope/cli";

const file = process.argv[2];
const how = process.argv[3] ?? "stream";
const before = process.memoryUsage().rss;
let trace: Trace;
if (how === "whole") {
  const bytes = readFileSync(file);
  trace = importTorchSnapshot(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
} else trace = importTorchSnapshot(fileSource(file));
const peak = timeline(trace).peak.bytes;
const maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ fileBytes: statSync(file).size, before, maxRss, events: eventCount(trace), peak }) + "\n");
