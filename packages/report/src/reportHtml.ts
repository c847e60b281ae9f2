import { createHash } from "node:crypto";
import { CATEGORIES, formatBytes, type Trace } from "@hbmscope/core";
import { CATEGORY_COLORS } from "@hbmscope/viz";
import { pageScript } from "./pageScript.js";
import { PAGE_STYLE } from "./pageStyle.js";
import { reportData } from "./reportData.js";
import type { ReportPayload } from "./reportPayload.js";
import { reportSummary, summaryText } from "./summary.js";
import { REPORT_ALLOCATORS } from "./whatIf.js";

/** `Symbol.for("Jupyter.display")`: the method Deno's Jupyter kernel calls to render a cell's value. */
const jupyterDisplay: unique symbol = Symbol.for("Jupyter.display") as never;

export interface ReportOptions {
  /** Label of the trace. @defaultValue `"trace"` */
  name?: string;
  /** A second run to compare with, aligned by phase. */
  compare?: { trace: Trace; name?: string };
  /** The allocator the page opens with (one of `REPORT_ALLOCATORS`). @defaultValue `"caching"` */
  allocator?: string;
  /** Device capacity (the card) in bytes the page opens with. @defaultValue none */
  capacity?: number | null;
  /** Bytes held outside the allocator whenever a capacity is set (as `replay --capacity`'s reserve). @defaultValue 0 */
  reserve?: number;
}

/** A written report: the HTML page; as a notebook cell's value it shows itself (in a sandboxed frame). */
export interface HtmlReport {
  html: string;
  [jupyterDisplay]: () => { "text/html": string; "text/plain": string };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * One self-contained HTML page that explores a trace: the timeline of live bytes by category with
 * phases, the peak, the allocator's reserved line and the capacity; zoom, pan and an overview brush;
 * the buffer under the pointer; the live set and the allocator's segments at a clicked event; what-if
 * controls (allocator, capacity) replayed in the page by @hbmscope/core; an optional second run
 * aligned by phase. Data is embedded as columns (`reportData`), the code as one inline script
 * (`pageScript`); a Content-Security-Policy allows only that script (by its hash) and inline styles,
 * so the page makes no request at all. `#hbmscope-summary` carries `data-peak-bytes`,
 * `data-peak-index` and `data-reserved-bytes` (for the current allocator).
 */
export function reportHtml(trace: Trace, options: ReportOptions = {}): HtmlReport {
  const allocator = options.allocator ?? "caching";
  if (!(REPORT_ALLOCATORS as readonly string[]).includes(allocator)) {
    throw new Error(`reportHtml: unknown allocator ${JSON.stringify(allocator)}; accepted: ${REPORT_ALLOCATORS.join(", ")}`);
  }
  const capacity = options.capacity ?? null;
  const name = options.name ?? "trace";
  const payload: ReportPayload = {
    // Event times stay out: the page draws by event index, and they would be the largest column.
    runs: [reportData(trace, name, { times: false }), ...(options.compare ? [reportData(options.compare.trace, options.compare.name ?? "compare", { times: false })] : [])],
    allocator,
    capacity,
    reserve: options.reserve ?? 0,
  };
  // The summary as the page starts, readable without the script; the page replays (the reserved
  // figures) itself, so writing a report costs no replay.
  const s = reportSummary(trace, name);
  const c = options.compare ? reportSummary(options.compare.trace, options.compare.name ?? "compare") : undefined;
  // "</script" inside the code would end the element early; "<\/script" means the same to JavaScript.
  const script = pageScript().replace(/<\/script/gi, "<\\/script");
  const hash = createHash("sha256").update(script, "utf8").digest("base64");
  // JSON inside <script>: "<" escaped so no "</script>" or "<!--" can end it early.
  const data = JSON.stringify(payload).replace(/</g, "\\u003c");
  // worker-src blob: lets the page start its what-if worker from its own script's text (a blob: URL
  // made in the page, never fetched from anywhere); every other load stays forbidden.
  // 'wasm-unsafe-eval' lets that worker (which inherits this policy) compile core's allocator replay
  // module, embedded in the script: it allows WebAssembly compilation only, not eval. Without it the
  // replay runs in JS, with the same numbers.
  const csp = `default-src 'none'; script-src 'sha256-${hash}' 'wasm-unsafe-eval'; worker-src blob:; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hbmscope report: ${escapeHtml(name)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<h1>hbmscope report: ${escapeHtml(name)}${c ? ` vs ${escapeHtml(c.name)}` : ""}</h1>
<section id="hbmscope-summary" aria-label="summary" data-peak-bytes="${s.peakBytes}" data-peak-index="${s.peakIndex}" data-allocator="${allocator}"${c ? ` data-compare-peak-bytes="${c.peakBytes}"` : ""}>
<pre id="summary-text">${escapeHtml(summaryText(s, c))}</pre>
</section>
<div id="controls" role="group" aria-label="what if">
<label>allocator <select id="allocator">${REPORT_ALLOCATORS.map((a) => `<option value="${a}">${a === "caching+expandable" ? "caching (expandable segments)" : a}</option>`).join("")}</select></label>
<label>capacity <input id="capacity" size="18" placeholder="none (e.g. 24GiB)" aria-describedby="capacity-error capacity-note"></label>
<span id="capacity-note" class="keys">the card; ${formatBytes(options.reserve ?? 0)} of it held outside the allocator</span>
<span id="capacity-error" class="error" aria-live="polite"></span>
<span id="whatif-status" class="keys" aria-live="polite"></span>
</div>
<div id="legend">${CATEGORIES.map((k) => `<span style="--c:${CATEGORY_COLORS[k]}">${k}</span>`).join("")}<span style="--c:#222">reserved</span><span style="--c:#d62728">capacity / OOM</span>${c ? `<span style="--c:#b07aa1">${escapeHtml(c.name)} (aligned by phase)</span>` : ""}</div>
<div id="chart-wrap">
<canvas id="chart" tabindex="0" role="img" aria-label="live bytes by category over the events of ${escapeHtml(name)}; arrows move the cursor, Shift+arrows pan, + and - zoom, Home shows all, P jumps to the peak, Enter shows the live set"></canvas>
<div id="tooltip" role="status" hidden></div>
</div>
<div id="overview-wrap"><canvas id="overview" aria-hidden="true"></canvas><svg id="overview-svg" tabindex="0" role="group" aria-label="overview: drag to choose the range shown; arrows move it, + and - narrow or widen it, Home shows all"><g id="overview-brush"></g></svg></div>
<p class="keys">Wheel or +/- to zoom, drag or Shift+arrows to pan, brush the overview to pick a range (or focus it with Tab: arrows move the range, +/- resize it), arrows to step the cursor, P for the peak, click or Enter for the live set.</p>
<section id="compare" hidden><h2>Compared by phase (peak per phase)</h2></section>
<section id="details"><h2 id="details-title">Click an event for its live set and memory map</h2><div id="live"></div><h2>Allocator segments</h2><div id="segments"></div></section>
<script type="application/json" id="hbmscope-data">${data}</script>
<script id="hbmscope-script">${script}</script>
</body>
</html>
`;
  return {
    html,
    [jupyterDisplay]: () => ({
      "text/html": `<iframe sandbox="allow-scripts" style="width:100%;height:900px;border:0" srcdoc="${escapeHtml(html)}"></iframe>`,
      "text/plain": summaryText(s, c),
    }),
  };
}
