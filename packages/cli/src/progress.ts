import { formatBytes } from "@hbmscope/core";
import type { Io } from "./io.js";

/**
 * A progress line on stderr for reading a large file (`reading x.pickle, pass 1: 45% of 1.00 GiB`),
 * only when stderr is a terminal (`io.stderrIsTTY`), redrawn at most every `everyMs`
 * (@defaultValue 250 ms) and ended with a newline when a pass finishes. Returns undefined
 * otherwise, so piped and `--json` runs print nothing extra.
 */
export function readProgress(io: Io, label: string, everyMs = 250): ((bytes: number, total: number, pass: number) => void) | undefined {
  if (!io.stderrIsTTY) return undefined;
  let last = 0;
  return (bytes, total, pass) => {
    const done = bytes >= total;
    const now = Date.now();
    if (!done && now - last < everyMs) return;
    last = now;
    const pct = total > 0 ? Math.floor((100 * bytes) / total) : 100;
    io.stderr(`\rreading ${label}, pass ${pass}: ${pct}% of ${formatBytes(total)}${done ? "\n" : ""}`);
  };
}
