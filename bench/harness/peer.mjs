// PyTorch's memory_viz processing of a snapshot, as its page does it before drawing: JSON.parse,
// then process_alloc_data(snapshot, device 0, plot_segments false, max_entries 15000, the page's
// default). PyTorch's code is never copied into this repository: it is read at run time from the
// file the user gives (`pnpm bench peer --peer path/to/MemoryViz.js`, or a file exporting
// process_alloc_data). Its imports of d3 from a CDN are dropped (process_alloc_data draws nothing);
// the adapted copy is written to the system's temporary folder.
// Usage: node peer.mjs <peer file> <snapshot.json>; prints {"events":n} on stdout.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [peerFile, file] = process.argv.slice(2);
const source = readFileSync(peerFile, "utf8");
if (!/function\s+process_alloc_data\s*\(/.test(source)) {
  process.stderr.write(`peer: ${peerFile} defines no function process_alloc_data; give PyTorch's torch/utils/viz/MemoryViz.js\n`);
  process.exit(2);
}
const adapted =
  source.replace(/^\s*import\s[^;]*?from\s*["']https?:[^"']*["'];?\s*$/gm, "") +
  (/export\s*\{[^}]*\bprocess_alloc_data\b|export\s+function\s+process_alloc_data/.test(source) ? "" : "\nexport { process_alloc_data };\n");
const dir = mkdtempSync(join(tmpdir(), "hbmscope-peer-"));
const module = join(dir, "peer.mjs");
writeFileSync(module, adapted);
const { process_alloc_data } = await import(pathToFileURL(module).href);
const snapshot = JSON.parse(readFileSync(file, "utf8"));
const data = process_alloc_data(snapshot, 0, false, 15000);
process.stdout.write(JSON.stringify({ events: snapshot.device_traces[0].length, elements: data?.elements_length ?? data?.allocations_over_time?.length ?? null }) + "\n");
