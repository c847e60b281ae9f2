/// <reference lib="dom" />
// The report page: decodes the embedded runs, draws the timeline, and answers hover, click, zoom and
// what-if questions with @hbmscope/core itself (bundled into the page by `pageScript`).
import { bufferAt, parseByteSize, timeline, traceColumns, type ReplayRun } from "@hbmscope/core";
import { formatBytes } from "@hbmscope/viz";
import { brushX, type BrushBehavior } from "d3-brush";
import { scaleLinear } from "d3-scale";
import { select } from "d3-selection";
import { zoom, zoomIdentity, type ZoomTransform } from "d3-zoom";
import { bufferAtHeight, liveStack, type LiveStack } from "../liveStack.js";
import { phaseAlignment, phaseSpans } from "../phaseAlignment.js";
import { phaseComparison } from "../phaseComparison.js";
import type { ReportPayload } from "../reportPayload.js";
import { reportSummary, summaryText } from "../summary.js";
import { decodeReportData } from "../decodeReportData.js";
import { traceFromReportData } from "../traceFromReportData.js";
import { REPORT_ALLOCATORS } from "../whatIf.js";
import { drawChart, MARGIN, type ChartModel } from "./chart.js";
import { renderLiveTable, renderSegmentMap } from "./details.js";
import { whatIfClient, type WhatIfAnswer, type WorkerLike } from "./whatIfClient.js";
import type { WhatIfJob } from "./whatIfWorker.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// Where the time to the first paint goes (ms), for the benchmark: `data-load-steps` on <body>.
const steps: string[] = [];
let lastStep = performance.now();
const step = (name: string) => {
  const now = performance.now();
  steps.push(`${name} ${(now - lastStep).toFixed(0)}`);
  lastStep = now;
};
step("start");
const payload = JSON.parse($("hbmscope-data").textContent!) as ReportPayload;
step("parse");
// Decoded once: the page reads these columns, and the what-if worker gets a copy of them.
const decoded = decodeReportData(payload.runs[0]);
const trace = traceFromReportData(decoded);
const other = payload.runs[1] ? traceFromReportData(payload.runs[1]) : undefined;
step("decode");
const tl = timeline(trace, { view: "physical", byCategory: true });
step("timeline");
const n = tl.length;
let allocator = payload.allocator;
let capacity = payload.capacity;
let run: ReplayRun | null = null;
const compare = other
  ? { tl: timeline(other, { view: "physical" }), knots: phaseAlignment(trace, other), name: payload.runs[1].name }
  : undefined;
const model: ChartModel = { trace, tl, run, capacity, phases: phaseSpans(trace), compare, yMax: 0 };

const chart = $<HTMLCanvasElement>("chart");
const overview = $<HTMLCanvasElement>("overview");
const tooltip = $("tooltip");
const summary = $("hbmscope-summary");
let transform: ZoomTransform = zoomIdentity;
let cursor = -1;
let selected = -1;
let columns: Int32Array = new Int32Array(0);

function plotWidth() {
  return Math.max(1, Math.floor(chart.clientWidth - MARGIN.left - MARGIN.right));
}
function baseX() {
  return scaleLinear().domain([0, Math.max(1, n)]).range([MARGIN.left, MARGIN.left + plotWidth()]);
}
function currentX() {
  return transform.rescaleX(baseX());
}

let compareSummary: ReturnType<typeof reportSummary> | undefined;
function updateSummary() {
  model.run = run;
  model.capacity = capacity;
  model.yMax = 1.05 * Math.max(tl.peak.bytes, run?.peaks.reserved.bytes ?? 0, capacity ?? 0, compare ? compare.tl.peak.bytes : 0, 1);
  const s = reportSummary(trace, payload.runs[0].name, { tl, ...(run ? { run, allocator } : {}) });
  compareSummary ??= other && compare ? reportSummary(other, compare.name, { tl: compare.tl }) : undefined;
  $("summary-text").textContent = summaryText(s, compareSummary);
  summary.dataset.peakBytes = String(s.peakBytes);
  summary.dataset.peakIndex = String(s.peakIndex);
  if (s.replay) {
    summary.dataset.reservedBytes = String(s.replay.reservedBytes);
    summary.dataset.allocator = allocator;
    summary.dataset.oomIndex = String(s.replay.oomIndex);
  }
  if (compareSummary) summary.dataset.comparePeakBytes = String(compareSummary.peakBytes);
}

let frame = 0;
function draw() {
  frame = 0;
  const t0 = performance.now();
  columns = drawChart(chart, model, currentX(), cursor);
  chart.dataset.drawMs = (performance.now() - t0).toFixed(2);
}
function scheduleDraw() {
  if (!frame) frame = requestAnimationFrame(draw);
}
function drawOverview() {
  drawChart(overview, model, baseX(), -1, false);
}

// Zoom and pan (wheel, drag) on the chart; a brush on the overview; each follows the other.
let syncing = false;
const zoomBehavior = zoom<HTMLCanvasElement, unknown>()
  .scaleExtent([1, Math.max(1, n / 8)])
  .on("zoom", (e: { transform: ZoomTransform }) => {
    transform = e.transform;
    scheduleDraw();
    if (!syncing) {
      syncing = true;
      const x = currentX();
      brushGroup.call(brush.move, [x.invert(MARGIN.left), x.invert(MARGIN.left + plotWidth())].map(baseX()) as [number, number]);
      syncing = false;
    }
  });
const brush: BrushBehavior<unknown> = brushX().on("brush end", (e: { selection: [number, number] | null }) => {
  if (syncing) return;
  const [s0, s1] = e.selection ?? [MARGIN.left, MARGIN.left + plotWidth()];
  const k = plotWidth() / Math.max(1e-9, s1 - s0);
  syncing = true;
  select(chart).call(zoomBehavior.transform, zoomIdentity.translate(MARGIN.left - k * s0, 0).scale(k));
  syncing = false;
});
const brushGroup = select($("overview-brush") as unknown as SVGGElement) as unknown as ReturnType<typeof select<SVGGElement, unknown>>;

function layout() {
  const w = plotWidth();
  const extent: [[number, number], [number, number]] = [[MARGIN.left, 0], [MARGIN.left + w, chart.clientHeight]];
  zoomBehavior.extent(extent).translateExtent(extent);
  brush.extent([[MARGIN.left, 0], [MARGIN.left + w, overview.clientHeight]]);
  brushGroup.call(brush);
  drawOverview();
  draw();
}

// Hover: the buffer under the pointer.
let stack: LiveStack | undefined;
function eventAtPixel(px: number): number {
  const c = Math.floor(px - MARGIN.left);
  return c >= 0 && c < columns.length ? columns[c] : -1;
}
function describe(index: number, height: number | undefined, px: number, py: number) {
  if (index < 0) return hideTooltip();
  if (!stack || stack.index !== index) stack = liveStack(trace, index);
  const top = chart.clientHeight - MARGIN.bottom;
  const bytesAt = height ?? stack.total / 2;
  const k = bufferAtHeight(trace, stack, bytesAt);
  const reserved = run && index < run.length ? `; reserved ${formatBytes(run.reserved[index])}` : "";
  const lines = [`event ${index}: ${formatBytes(tl.total[index])} live${reserved}`];
  if (k >= 0) {
    const b = stack.buffers[k];
    const buf = bufferAt(trace, b);
    const { eventBuffer, eventAlloc } = traceColumns(trace);
    let freeAt = -1;
    for (let i = index + 1; i < eventBuffer.length; i++) if (eventBuffer[i] === b && !eventAlloc[i]) { freeAt = i; break; }
    lines.push(
      `buffer #${buf.id}${buf.name ? ` ${String(buf.name)}` : ""}: ${formatBytes(buf.bytes)} (${buf.bytes} bytes), ${buf.category}`,
      `op ${buf.op ?? "-"}${buf.dtype ? `, ${buf.dtype}` : ""}${buf.shape ? ` [${buf.shape.join(",")}]` : ""}`,
      `scope ${buf.scope ?? "-"}`,
      `allocated at event ${stack.allocAt[k]}, freed at ${freeAt >= 0 ? `event ${freeAt}` : "the end (never freed)"}`,
    );
    if (trace.meta.source === "imported" && buf.scope) lines.push("stack (outermost first):", ...buf.scope.split("/").map((f) => `  ${f}`));
    if (buf.site) lines.push(`at ${String(buf.site)}`);
    tooltip.dataset.bufferId = String(buf.id);
  } else delete tooltip.dataset.bufferId;
  tooltip.dataset.event = String(index);
  tooltip.textContent = lines.join("\n");
  tooltip.hidden = false;
  tooltip.style.left = `${Math.min(px + 14, chart.clientWidth - 320)}px`;
  tooltip.style.top = `${Math.min(py + 14, top)}px`;
}
function hideTooltip() {
  tooltip.hidden = true;
}
function heightAt(py: number) {
  const top = MARGIN.top;
  const bottom = chart.clientHeight - MARGIN.bottom;
  return ((bottom - py) / (bottom - top)) * model.yMax;
}
chart.addEventListener("mousemove", (e) => describe(eventAtPixel(e.offsetX), heightAt(e.offsetY), e.offsetX, e.offsetY));
chart.addEventListener("mouseleave", hideTooltip);
chart.addEventListener("click", (e) => showEvent(eventAtPixel(e.offsetX)));

// Click (or Enter): the live set and the allocator's memory map at that event.
function showEvent(index: number) {
  if (index < 0) return;
  selected = index;
  cursor = index;
  $("details-title").textContent = `After event ${index}`;
  renderLiveTable($("live"), trace, index);
  if (run) renderSegmentMap($("segments"), trace, run, index);
  scheduleDraw();
}

// Keyboard: arrows move the cursor, Shift+arrows pan, + and - zoom, Home shows all, P the peak.
chart.addEventListener("keydown", (e) => {
  const x = currentX();
  const perPixel = Math.max(1, (x.domain()[1] - x.domain()[0]) / plotWidth());
  const step = Math.max(1, Math.round(perPixel * (e.shiftKey ? 50 : 1)));
  const cz = select(chart);
  if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
    const sign = e.key === "ArrowRight" ? 1 : -1;
    // translateBy works in unzoomed units: a tenth of the view is a tenth of the plot over k.
    if (e.shiftKey) cz.call(zoomBehavior.translateBy, (-sign * plotWidth()) / 10 / transform.k, 0);
    else {
      cursor = Math.max(0, Math.min(n - 1, (cursor < 0 ? Math.round(x.invert(MARGIN.left + plotWidth() / 2)) : cursor) + sign * step));
      const xc = currentX()(cursor);
      if (xc < MARGIN.left || xc > MARGIN.left + plotWidth()) cz.call(zoomBehavior.translateBy, MARGIN.left + plotWidth() / 2 - xc, 0);
      describe(cursor, undefined, currentX()(cursor), MARGIN.top + 20);
      scheduleDraw();
    }
  } else if (e.key === "+" || e.key === "=") cz.call(zoomBehavior.scaleBy, 2, [cursor >= 0 ? x(cursor) : MARGIN.left + plotWidth() / 2, 0]);
  else if (e.key === "-" || e.key === "_") cz.call(zoomBehavior.scaleBy, 0.5, [cursor >= 0 ? x(cursor) : MARGIN.left + plotWidth() / 2, 0]);
  else if (e.key === "Home") cz.call(zoomBehavior.transform, zoomIdentity);
  else if (e.key === "p" || e.key === "P") {
    cursor = tl.peak.index;
    describe(cursor, undefined, x(cursor), MARGIN.top + 20);
    scheduleDraw();
  } else if (e.key === "Enter" || e.key === " ") showEvent(cursor);
  else if (e.key === "Escape") hideTooltip();
  else return;
  e.preventDefault();
});

// The overview from the keyboard: arrows move the range shown, + and - narrow or widen it, Home shows all.
$("overview-svg").addEventListener("keydown", (e) => {
  const cz = select(chart);
  const middle = MARGIN.left + plotWidth() / 2;
  if (e.key === "ArrowRight" || e.key === "ArrowLeft") cz.call(zoomBehavior.translateBy, ((e.key === "ArrowRight" ? -1 : 1) * plotWidth()) / 10 / transform.k, 0);
  else if (e.key === "+" || e.key === "=") cz.call(zoomBehavior.scaleBy, 2, [middle, 0]);
  else if (e.key === "-" || e.key === "_") cz.call(zoomBehavior.scaleBy, 0.5, [middle, 0]);
  else if (e.key === "Home") cz.call(zoomBehavior.transform, zoomIdentity);
  else return;
  e.preventDefault();
});

// What-if: allocator and capacity.
const allocatorSelect = $<HTMLSelectElement>("allocator");
const capacityInput = $<HTMLInputElement>("capacity");
allocatorSelect.value = allocator;
capacityInput.value = capacity === null ? "" : String(capacity);
// The what-if worker runs this very script (see entry.ts) from a blob: URL, which the page's
// Content-Security-Policy allows as a worker source and nothing else.
const source = document.getElementById("hbmscope-script")?.textContent ?? "";
let workerUrl: string | undefined;
const status = $("whatif-status");
const client = whatIfClient(decoded, trace, {
  makeWorker: () => {
    if (typeof Worker === "undefined" || source === "") return null;
    workerUrl ??= URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    return new Worker(workerUrl, { name: "hbmscope what-if" }) as unknown as WorkerLike;
  },
  onAnswer: showWhatIf,
  // The second worker has planned the planned arena: planned what-ifs are now replays of its plan.
  onPlanned: () => void (summary.dataset.plan = "ready"),
  // A planned arena over a long, busy trace plans for seconds: say how far it is.
  onProgress: (job, fraction) => {
    const pct = Math.floor(100 * fraction);
    summary.dataset.progress = String(pct);
    status.textContent = `${computing(job)}: ${pct}% of the buffers placed… (the page stays usable)`;
  },
  // Runs kept: 2 to 6, within about 256 MB (a run holds 4 float64s an event and 6 arrays a buffer,
  // about 32 bytes an event and 36 a buffer).
  cacheSize: Math.max(2, Math.min(6, Math.floor(256e6 / (32 * n + 36 * payload.runs[0].bufferCount + 1)))),
});
// The first what-if (the report's allocator and capacity) starts in the worker now, while this
// thread draws the first frame; it is asked for once that frame is drawn (`applyWhatIf` below).
const firstJob = chosenJob();
if (firstJob) client.headStart(firstJob);
let asked = 0;
/** On fewer than four cores, the background plan waits for the page to be idle this long after an answer, ms. */
const PLAN_AHEAD_IDLE_MS = 1000;
let aheadTimer: ReturnType<typeof setTimeout> | undefined;
function showWhatIf(a: WhatIfAnswer) {
  const ms = performance.now() - asked;
  summary.removeAttribute("aria-busy");
  delete summary.dataset.progress;
  summary.dataset.whatif = a.error ? "failed" : "done";
  document.getElementById("controls")!.classList.remove("computing");
  if (a.error || !a.run) {
    status.textContent = `${a.job.allocator}: ${a.error}`;
    document.body.dataset.ready = "true";
    return;
  }
  allocator = a.job.allocator;
  capacity = a.job.capacity;
  run = a.run;
  summary.dataset.replayMs = a.replayMs.toFixed(1);
  summary.dataset.whatifMs = ms.toFixed(1);
  summary.dataset.replayedIn = a.cached ? "cache" : a.inWorker ? "worker" : "page";
  status.textContent =
    `${allocator}: ${a.cached ? `from the cache (replayed in ${a.replayMs.toFixed(0)} ms)` : `replayed in ${a.replayMs.toFixed(0)} ms${a.inWorker ? "" : " on the page's thread"}`}` +
    (run.oom ? `; out of memory at event ${run.oom.index}` : "");
  updateSummary();
  drawOverview();
  draw();
  if (selected >= 0) renderSegmentMap($("segments"), trace, run, selected);
  document.body.dataset.ready = "true";
  // While the reader looks, a second worker replays the other allocators at this capacity, so that
  // switching to one is answered at once: with cores to spare (the page's thread, the first worker
  // and this one) all of them, planned last; with two cores only planned, whose plan (seconds on a
  // long, busy trace; any capacity reuses it) is the one a reader would otherwise wait for, and only
  // once the page has been idle for `PLAN_AHEAD_IDLE_MS` (a what-if asked while it plans shares the
  // cores with it: bfc's replay of the bench's 1M-event snapshot took 432 ms then, against 154 ms);
  // with one core nothing, or it would slow zooms.
  const cores = navigator.hardwareConcurrency ?? 1;
  const ahead = cores >= 4 ? REPORT_ALLOCATORS.filter((x) => x !== allocator) : cores >= 2 && allocator !== "planned" ? ["planned"] : [];
  const jobs = ahead.map((x) => ({ allocator: x, capacity, reserve: payload.reserve ?? 0 }));
  clearTimeout(aheadTimer);
  if (cores >= 4) client.prefetch(jobs);
  else if (jobs.length > 0) aheadTimer = setTimeout(() => client.prefetch(jobs), PLAN_AHEAD_IDLE_MS);
}
/** What the status line says while a what-if computes. */
function computing(job: { allocator: string; capacity: number | null }): string {
  return `computing the ${job.allocator} replay${job.capacity === null ? "" : `, capacity ${formatBytes(job.capacity)}`}`;
}
/** The what-if the controls ask for, or null (the capacity's error shown) when the capacity does not parse. */
function chosenJob(): WhatIfJob | null {
  const text = capacityInput.value.trim();
  let cap: number | null = null;
  try {
    cap = text === "" ? null : parseByteSize(text, "capacity");
    $("capacity-error").textContent = "";
  } catch (err) {
    $("capacity-error").textContent = (err as Error).message;
    return null;
  }
  return { allocator: allocatorSelect.value, capacity: cap, reserve: payload.reserve ?? 0 };
}
function applyWhatIf() {
  const job = chosenJob();
  if (!job) return;
  // The replay runs in the worker (a planned arena over a long, busy trace can take seconds): the
  // page stays usable, says what is computing, and a newer choice cancels an older one.
  asked = performance.now();
  clearTimeout(aheadTimer);
  delete document.body.dataset.ready;
  summary.dataset.whatif = "computing";
  summary.dataset.pendingAllocator = job.allocator;
  summary.setAttribute("aria-busy", "true");
  document.getElementById("controls")!.classList.add("computing");
  delete summary.dataset.progress;
  status.textContent = `${computing(job)}… (the page stays usable)`;
  client.request(job);
}
allocatorSelect.addEventListener("change", applyWhatIf);
capacityInput.addEventListener("change", applyWhatIf);

// Compare: per-phase peaks side by side.
if (compare && other) {
  const panel = $("compare");
  panel.hidden = false;
  const peaks = (t: typeof tl) => ({ peakBytes: t.peak.bytes, phasePeaks: t.phasePeaks });
  const cell = (v: number | null) => (v === null ? "-" : formatBytes(v));
  const rows = [
    ["phase", payload.runs[0].name, compare.name, "difference"],
    ...phaseComparison(peaks(tl), peaks(compare.tl)).map((r) => [r.phase || "whole step", cell(r.a), cell(r.b), r.difference === null ? "-" : `${r.difference >= 0 ? "+" : "-"}${formatBytes(Math.abs(r.difference))}`]),
  ];
  const table = document.createElement("table");
  table.id = "compare-table";
  rows.forEach((r, i) => {
    const tr = i === 0 ? table.createTHead().insertRow() : (table.tBodies[0] ?? table.createTBody()).insertRow();
    for (const v of r) {
      const c = document.createElement(i === 0 ? "th" : "td");
      c.textContent = v;
      tr.append(c);
    }
  });
  panel.append(table);
}

// First paint: the timeline alone; then the what-if replay (the reserved line, the summary's
// reserved figure), after the browser has shown the first frame.
updateSummary();
step("summary");
layout();
step("draw");
window.addEventListener("resize", layout);
select(chart).call(zoomBehavior).on("dblclick.zoom", null);
document.body.dataset.firstDrawMs = performance.now().toFixed(0);
document.body.dataset.loadSteps = steps.join(", ");
applyWhatIf();
