/**
 * Writes a synthetic PyTorch snapshot pickle of any size to a file, streaming:
 *   node --import tsx --conditions=source bench/writeSnapshotPickle.ts <path> <entries> [plain|python] [stackDepth]
 * About 52 bytes per entry in style plain and 60 in style python at stack depth 2.
 */
import { writeSnapshotPickleFile } from "./snapshotPickleFile.js";

const [path, entries, style = "plain", stackDepth = "2"] = process.argv.slice(2);
if (!path || !entries) {
  process.stderr.write("usage: writeSnapshotPickle.ts <path> <entries> [plain|python] [stackDepth]\n");
  process.exit(2);
}
const t0 = performance.now();
const bytes = writeSnapshotPickleFile(path, { entries: Number(entries), style: style as "plain" | "python", stackDepth: Number(stackDepth) });
const s = (performance.now() - t0) / 1000;
process.stdout.write(`${path}: ${bytes} bytes (${(bytes / 2 ** 30).toFixed(3)} GiB), ${entries} entries, style ${style}, depth ${stackDepth}, ${s.toFixed(1)} s\n`);
