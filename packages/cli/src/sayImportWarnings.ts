import type { SnapshotMeta, Trace } from "@hbmscope/core";
import type { Io } from "./io.js";

/**
 * For a snapshot read on the fly (`inspect`, `replay`, `render`, `export`): the import's warnings
 * (an inconsistent snapshot, each naming the entry) on stderr, at most `limit` (@defaultValue 10),
 * so reading a snapshot directly says what `hbmscope import` would.
 */
export function sayImportWarnings(trace: Trace, file: string, io: Io, limit = 10): void {
  const warnings = (trace.meta.torch as SnapshotMeta | undefined)?.warnings ?? [];
  for (const w of warnings.slice(0, limit)) io.stderr(`warning: ${file}: ${w}\n`);
  if (warnings.length > limit) io.stderr(`warning: ${file}: ${warnings.length - limit} more (hbmscope import --json lists them)\n`);
}
