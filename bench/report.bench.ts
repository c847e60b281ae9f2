import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { eventCount, importTorchSnapshot, writePickle } from "@hbmscope/core";
import { pageScript, reportHtml, whatIf } from "@hbmscope/report";
import { syntheticSnapshot } from "./syntheticSnapshot.js";
import { report } from "./measure.js";

const CHROMIUM = "/usr/bin/chromium";

/**
 * `hbmscope report` of a PyTorch snapshot of about 1,000,000 events: write time (target < 3 s), file size
 * (target ≤ 25 MB); in Chromium (when /usr/bin/chromium is there): first paint (target < 1.5 s), a
 * zoom or pan step at every zoom level (target < 16 ms) and a what-if replay (target < 500 ms).
 */
export async function reportBench() {
  // 1.51M snapshot entries (allocs, free requests and completions, segment events) make about 1M events.
  const trace = importTorchSnapshot(writePickle(syntheticSnapshot(1_510_000)));
  const events = eventCount(trace);
  const t0 = performance.now();
  pageScript();
  const bundle = performance.now() - t0;
  const t1 = performance.now();
  const html = reportHtml(trace, { name: "synthetic-1M" }).html;
  const write = performance.now() - t1;
  const bytes = Buffer.byteLength(html);
  console.log(`report: page script bundled by esbuild in ${bundle.toFixed(0)} ms (once per process), ${(pageScript().length / 1e3).toFixed(0)} KB`);
  report(`reportHtml, ${events} events (columns, summary, page script)`, write, events);
  console.log(`  write target < 3000 ms: ${write < 3000 ? "met" : "MISSED"}; file ${(bytes / 1e6).toFixed(1)} MB (target ≤ 25 MB: ${bytes <= 25e6 ? "met" : "MISSED"})`);
  if (!existsSync(CHROMIUM)) {
    console.log(`  browser figures skipped: no ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-bench-report-"));
  const file = join(dir, "report.html");
  writeFileSync(file, html);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("body[data-ready]", { timeout: 60_000 });
    const firstDraw = Number(await page.evaluate(() => document.body.dataset.firstDrawMs));
    console.log(`  first paint in Chromium: ${firstDraw} ms after navigation (target < 1500 ms: ${firstDraw < 1500 ? "met" : "MISSED"}); steps (ms): ${await page.evaluate(() => document.body.dataset.loadSteps)}`);
    await page.focus("#chart");
    const steps: number[] = [];
    for (let level = 0; level < 16; level++) {
      for (const key of ["+", "Shift+ArrowRight"]) {
        const before = await page.getAttribute("#chart", "data-domain");
        await page.keyboard.press(key);
        await page.waitForFunction((d) => document.getElementById("chart")!.dataset.domain !== d, before, { timeout: 5_000 }).catch(() => {});
        steps.push(Number(await page.getAttribute("#chart", "data-draw-ms")));
      }
    }
    const worst = Math.max(...steps);
    console.log(`  frames (ms, zoom then pan per level): ${steps.map((v) => v.toFixed(1)).join(" ")}`);
    console.log(`  zoom/pan step (one frame drawn) over ${steps.length} steps down to ${await page.getAttribute("#chart", "data-domain")}: median ${steps.sort((a, b) => a - b)[steps.length >> 1].toFixed(1)} ms, worst ${worst.toFixed(1)} ms (target < 16 ms: ${worst < 16 ? "met" : "MISSED"})`);
    // planned is left out: greedy-by-size planning of this adversarial history (random sizes, many
    // buffers live at once) takes seconds in Node too (see the alloc bench).
    for (const allocator of ["bfc", "caching+expandable", "ideal"]) {
      await page.selectOption("#allocator", allocator);
      await page.waitForSelector(`#hbmscope-summary[data-allocator="${allocator}"]`, { timeout: 60_000 });
      const ms = Number(await page.evaluate(() => document.getElementById("hbmscope-summary")!.dataset.replayMs));
      const t = performance.now();
      whatIf(trace, allocator);
      const node = performance.now() - t;
      console.log(`  what-if replay in the page (${allocator}): ${ms} ms (target < 500 ms: ${ms < 500 ? "met" : "MISSED"}); the same replay in Node: ${node.toFixed(0)} ms`);
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
