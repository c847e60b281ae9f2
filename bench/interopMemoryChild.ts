/**
 * Child process of the interop benchmark: imports one snapshot file and takes its timeline, then
 * prints its peak resident memory beyond what the process held before reading the file.
 */
import { readFileSync } from "node:fs";
import { importTorchSnapshot, timeline } from "@hbmscope/core";

const before = process.memoryUsage().rss;
const bytes = readFileSync(process.argv[2]);
const trace = importTorchSnapshot(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
const peak = timeline(trace).peak.bytes;
const maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ fileBytes: bytes.length, before, maxRss, events: trace.events.length, peak }) + "\n");
