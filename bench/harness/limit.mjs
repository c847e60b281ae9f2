// The limit a reader of a JSON file can reach in JavaScript: read the file, JSON.parse it, one pass
// over its events into typed arrays. Plain node (no tsx), so that its startup is node's own.
// Usage: node limit.mjs <file> <trace|snapshot>; prints {"events":n} on stdout.
import { readFileSync } from "node:fs";

const [file, kind] = process.argv.slice(2);
const data = JSON.parse(readFileSync(file, "utf8"));
const events = kind === "snapshot" ? data.device_traces[0] : data.events;
const n = events.length;
const code = new Uint8Array(n);
const key = new Float64Array(n);
const size = new Float64Array(n);
for (let i = 0; i < n; i++) {
  const e = events[i];
  if (kind === "snapshot") {
    code[i] = e.action.length;
    key[i] = e.addr;
    size[i] = e.size;
  } else {
    code[i] = e.kind === "alloc" ? 1 : 0;
    key[i] = e.buffer;
  }
}
let check = 0;
for (let i = 0; i < n; i += 4096) check += key[i] + size[i] + code[i];
process.stdout.write(JSON.stringify({ events: n, check }) + "\n");
