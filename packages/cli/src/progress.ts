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
    redraw(io, `reading ${label}, pass ${pass}: ${pct}% of ${formatBytes(total)}`, done);
  };
}

/**
 * A progress line on stderr for planning a `planned` arena (`planning the arena: 45% of 500,825
 * buffers placed`), on the same terms as `readProgress`: only on a terminal, redrawn at most every
 * `everyMs` (@defaultValue 250 ms), ended with a newline when the plan is made. Returns undefined
 * when stderr is not a terminal.
 */
export function planProgress(io: Io, everyMs = 250): ((placed: number, total: number) => void) | undefined {
  if (!io.stderrIsTTY) return undefined;
  let last = 0;
  let shown = false;
  return (placed, total) => {
    const done = placed >= total;
    const now = Date.now();
    // A plan made before the first redraw leaves no line behind.
    if (done ? !shown : now - last < everyMs) return;
    last = now;
    shown = true;
    const pct = total > 0 ? Math.floor((100 * placed) / total) : 100;
    redraw(io, `planning the arena: ${pct}% of ${total.toLocaleString("en-US")} buffers placed`, done);
  };
}

/** One redraw of the progress line: through `io.progress` where the CLI set it (see `Io`), else on stderr as is. */
function redraw(io: Io, line: string, done: boolean): void {
  if (io.progress) io.progress(line, done);
  else io.stderr(`\r${line}${done ? "\n" : ""}`);
}
