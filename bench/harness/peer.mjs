// PyTorch's memory_viz processing of a snapshot, as its page does it before drawing: JSON.parse
// (the page itself unpickles, slower), annotate_snapshot (what the page runs on every snapshot it
// loads), then process_alloc_data(snapshot, device 0, plot_segments false, max_entries 15000, the
// page's default). PyTorch's code is never copied into this repository: it is read at run time from the
// file the user gives (`pnpm bench peer --peer path/to/MemoryViz.js`, or a file exporting
// process_alloc_data). Its imports of d3 from a CDN are dropped (process_alloc_data draws nothing);
// the page's DOM code runs against an inert stand-in; the adapted copy is written to the system's temporary folder.
// Usage: node peer.mjs <peer file> <snapshot.json>; prints {"events":n} on stdout.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [peerFile, file] = process.argv.slice(2);
const source = readFileSync(peerFile, "utf8");
if (!/function\s+process_alloc_data\s*\(/.test(source)) {
  process.stderr.write(`peer: ${peerFile} defines no function process_alloc_data; give PyTorch's torch/utils/viz/MemoryViz.js\n`);
  process.exit(2);
}
// Each name a remote import bound becomes an inert stand-in: the page's own top-level code (it
// builds its menus with d3.select("body")...) then runs without a DOM and draws nothing.
const inert = "const __inert = new Proxy(function () {}, { get: (_, key) => (key === Symbol.toPrimitive ? () => \"\" : __inert), apply: () => __inert, construct: () => __inert });\n";
const bindings = (clause) =>
  clause.trim().startsWith("*")
    ? [clause.trim().replace(/^\*\s*as\s+/, "")]
    : clause.replace(/[{}]/g, "").split(",").map((n) => n.trim().split(/\s+as\s+/).pop()).filter(Boolean);
const adapted =
  inert +
  source.replace(/^\s*import\s+([^;]*?)\s+from\s*["']https?:[^"']*["'];?\s*$/gm, (_, clause) => bindings(clause).map((n) => `const ${n} = __inert;`).join(" ")) +
  "\nexport { process_alloc_data as __process_alloc_data" +
  (/function\s+annotate_snapshot\s*\(/.test(source) ? ", annotate_snapshot as __annotate_snapshot" : "") +
  " };\n";
const dir = mkdtempSync(join(tmpdir(), "hbmscope-peer-"));
const module = join(dir, "peer.mjs");
writeFileSync(module, adapted);
const peer = await import(pathToFileURL(module).href);
// The module is loaded: its folder is not needed any more.
rmSync(dir, { recursive: true, force: true });
const snapshot = JSON.parse(readFileSync(file, "utf8"));
peer.__annotate_snapshot?.(snapshot);
const data = peer.__process_alloc_data(snapshot, 0, false, 15000);
process.stdout.write(JSON.stringify({ events: snapshot.device_traces[0].length, elements: data?.elements_length ?? data?.allocations_over_time?.length ?? null }) + "\n");
