/// <reference lib="dom" />
import { CATEGORIES, bufferAt, stateAt, traceColumns, type ReplayRun, type Trace } from "@hbmscope/core";
import { CATEGORY_COLORS, formatBytes } from "@hbmscope/viz";
import { liveStack } from "../liveStack.js";

type SortKey = "id" | "bytes" | "category" | "op" | "scope" | "alloc";
const COLUMNS: [SortKey, string][] = [["id", "id"], ["bytes", "bytes"], ["category", "category"], ["op", "op / name"], ["scope", "scope"], ["alloc", "alloc event"]];
/** Most rows the live-set table shows (the largest first by default). */
const MAX_ROWS = 500;

/** The live set at `index` as a sortable table (header buttons sort; a second press reverses). */
export function renderLiveTable(host: HTMLElement, trace: Trace, index: number, sort: { key: SortKey; desc: boolean } = { key: "bytes", desc: true }): void {
  const stack = liveStack(trace, index);
  const rows = Array.from(stack.buffers, (b, k) => {
    const buf = bufferAt(trace, b);
    return { id: buf.id, bytes: buf.bytes, category: buf.category, op: String(buf.name ?? buf.op ?? ""), scope: buf.scope ?? "", alloc: stack.allocAt[k] };
  });
  const dir = sort.desc ? -1 : 1;
  rows.sort((a, b) => {
    const va = a[sort.key];
    const vb = b[sort.key];
    return (typeof va === "number" ? va - (vb as number) : String(va).localeCompare(String(vb))) * dir || a.id - b.id;
  });
  const table = document.createElement("table");
  table.id = "live-table";
  const caption = table.createCaption();
  caption.textContent = `${rows.length} buffers live after event ${index} (${formatBytes(stack.total)})${rows.length > MAX_ROWS ? `; the first ${MAX_ROWS} shown` : ""}`;
  const head = table.createTHead().insertRow();
  for (const [key, label] of COLUMNS) {
    const th = document.createElement("th");
    th.scope = "col";
    th.setAttribute("aria-sort", sort.key === key ? (sort.desc ? "descending" : "ascending") : "none");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label + (sort.key === key ? (sort.desc ? " ▼" : " ▲") : "");
    button.addEventListener("click", () => {
      renderLiveTable(host, trace, index, { key, desc: sort.key === key ? !sort.desc : key === "bytes" });
      (host.querySelector(`th:nth-child(${COLUMNS.findIndex((c) => c[0] === key) + 1}) button`) as HTMLButtonElement | null)?.focus();
    });
    th.append(button);
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of rows.slice(0, MAX_ROWS)) {
    const tr = body.insertRow();
    for (const [key] of COLUMNS) {
      const td = tr.insertCell();
      td.textContent = key === "bytes" ? `${formatBytes(r.bytes)} (${r.bytes})` : String(r[key]);
      if (key === "category") td.style.borderLeft = `6px solid ${CATEGORY_COLORS[r.category]}`;
    }
  }
  host.replaceChildren(table);
}

/** The allocator's segments at `index`: one row per segment, live blocks coloured by category, free gaps grey. */
export function renderSegmentMap(host: HTMLElement, trace: Trace, run: ReplayRun, index: number): void {
  host.replaceChildren();
  const note = document.createElement("p");
  if (run.allocator.name === "ideal") {
    note.textContent = "The ideal allocator places no blocks: pick caching, bfc or planned to see a memory map.";
    host.append(note);
    return;
  }
  if (index >= run.length) {
    note.textContent = `The replay stopped at event ${run.length - 1} (out of memory): no allocator state after it.`;
    host.append(note);
    return;
  }
  const snap = stateAt(run, index);
  const { category } = traceColumns(trace);
  let freeBlocks = 0;
  let freeBytes = 0;
  let largestFree = 0;
  let blocks = 0;
  for (const s of snap.segments) {
    for (const b of s.blocks) {
      if (b.state === "free") {
        freeBlocks++;
        freeBytes += b.bytes;
        largestFree = Math.max(largestFree, b.bytes);
      } else blocks++;
    }
  }
  note.textContent =
    `${run.allocator.name} allocator after event ${index}: ${snap.segments.length} segments, reserved ${formatBytes(snap.reserved)}, ` +
    `${blocks} live blocks (${formatBytes(snap.allocated)}), ${freeBlocks} free gaps (${formatBytes(freeBytes)}, largest ${formatBytes(largestFree)}), ` +
    `fragmentation ${snap.reserved > 0 ? ((100 * (snap.reserved - snap.allocated)) / snap.reserved).toFixed(1) : "0.0"}% of reserved free`;
  note.id = "segment-summary";
  host.append(note);
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", note.textContent);
  const width = Math.max(200, host.clientWidth || 800);
  const rowH = 12;
  const shown = snap.segments.slice(0, 200);
  const largest = Math.max(1, ...shown.map((s) => s.bytes));
  canvas.width = width;
  canvas.height = shown.length * (rowH + 2) + 2;
  canvas.style.width = `${width}px`;
  const ctx = canvas.getContext("2d")!;
  shown.forEach((s, r) => {
    const scale = (width - 2) / largest;
    const y0 = 1 + r * (rowH + 2);
    ctx.fillStyle = "#ddd";
    ctx.fillRect(1, y0, Math.max(1, s.bytes * scale), rowH);
    for (const b of s.blocks) {
      if (b.state === "free") continue;
      ctx.fillStyle = CATEGORY_COLORS[CATEGORIES[category[b.buffer]]];
      ctx.fillRect(1 + (b.address - s.address) * scale, y0, Math.max(1, b.bytes * scale - 0.5), rowH);
    }
  });
  host.append(canvas);
  if (snap.segments.length > shown.length) {
    const more = document.createElement("p");
    more.textContent = `${snap.segments.length - shown.length} more segments not drawn.`;
    host.append(more);
  }
}
