import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { liveAt, parseTrace, serializeTrace, traceBuilder, CATEGORIES } from "@hbmscope/core";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./run.js";

// Debian's chromium (`apt-get install chromium`; .ci/run installs it), driven by playwright-core.
// playwright never downloads a browser of its own here.
const CHROMIUM = "/usr/bin/chromium";
const step = new URL("../../../examples/step.trace.json", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "hbmscope-report-"));

let browser: Browser;

/** Opens a report with every request but the file itself refused; collects requests and console errors. `noWorker`: a browser without Web Workers. */
async function open(file: string, { noWorker = false } = {}) {
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, offline: true });
  if (noWorker) await context.addInitScript(() => void Reflect.deleteProperty(window, "Worker"));
  const requests: string[] = [];
  const errors: string[] = [];
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    requests.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("request", (r) => void (r.url() !== url && requests.push(r.url())));
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => void errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector("body[data-ready]", { timeout: 15_000 });
  return { page, requests, errors };
}

const summaryOf = (page: Page) => page.evaluate(() => ({ ...document.getElementById("hbmscope-summary")!.dataset }));

async function json(argv: string[]) {
  const r = await run(argv);
  return JSON.parse(r.stdout);
}

describe("hbmscope report", () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`report tests need Debian's chromium at ${CHROMIUM}: apt-get install chromium`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("report --out writes one HTML file with a CSP that forbids remote loads, and the data as columns, not trace JSON", async () => {
    const out = join(dir, "step.html");
    const r = await run(["report", step, "--out", out, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ out, allocator: "caching", capacity: null, reserve: null, compare: null });
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'; /);
    // No script or stylesheet by address, and no URL but XML namespace names (d3-selection's).
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org\/)/);
    expect(html).not.toContain('"kind":"alloc"');
    expect(statSync(out).size).toBeLessThan(statSync(step).size);
  });

  it("report: the page makes no request and logs no error; its peak is inspect's, its reserved bytes replay's, for each allocator", async () => {
    const { page, requests, errors } = await open(join(dir, "step.html"));
    const inspect = await json(["inspect", step, "--json"]);
    const s = await summaryOf(page);
    expect(Number(s.peakBytes)).toBe(inspect.peakBytes);
    expect(Number(s.peakIndex)).toBe(inspect.peakIndex);
    expect(Number(s.reservedBytes)).toBe((await json(["replay", step, "--json"])).reservedPeak);
    const cases: [string, string[]][] = [
      ["bfc", ["--allocator", "bfc"]],
      ["planned", ["--allocator", "planned"]],
      ["ideal", ["--allocator", "ideal"]],
      ["caching+expandable", ["--allocator", "caching", "--expandable-segments", "on"]],
    ];
    const seen = new Set<number>();
    for (const [name, flags] of cases) {
      await page.selectOption("#allocator", name);
      await page.waitForSelector(`#hbmscope-summary[data-allocator="${name}"]`);
      const expected = (await json(["replay", step, ...flags, "--json"])).reservedPeak;
      expect([name, Number((await summaryOf(page)).reservedBytes)]).toEqual([name, expected]);
      seen.add(expected);
    }
    expect(seen.size).toBeGreaterThan(1);
    // A card the step does not fit in once the default reserve (CUDA context + cuBLAS workspace,
    // 520.125 MiB) is held outside the allocator: the page reports the OOM event replay reports.
    await page.selectOption("#allocator", "caching");
    await page.fill("#capacity", "522MiB");
    await page.press("#capacity", "Enter");
    await page.waitForFunction(() => document.getElementById("hbmscope-summary")!.dataset.oomIndex !== "-1");
    const oom = (await run(["replay", step, "--capacity", "522MiB", "--json"])).stdout;
    expect(Number((await summaryOf(page)).oomIndex)).toBe(JSON.parse(oom).oom.index);
    await page.fill("#capacity", "lots");
    await page.press("#capacity", "Enter");
    expect(await page.textContent("#capacity-error")).toMatch(/capacity/);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("report: without Web Workers the page replays on its own thread, with the same numbers", async () => {
    const { page, requests, errors } = await open(join(dir, "step.html"), { noWorker: true });
    expect(await page.evaluate(() => typeof Worker)).toBe("undefined");
    await page.selectOption("#allocator", "bfc");
    await page.waitForSelector('#hbmscope-summary[data-allocator="bfc"][data-whatif="done"]');
    const s = await summaryOf(page);
    expect([s.replayedIn, Number(s.reservedBytes)]).toEqual(["page", (await json(["replay", step, "--allocator", "bfc", "--json"])).reservedPeak]);
    expect(await page.textContent("#whatif-status")).toContain("on the page's thread");
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("report: hovering the peak names the buffer drawn there (categories bottom up, oldest lowest); click and keys show the live set", async () => {
    const { page, errors } = await open(join(dir, "step.html"));
    const trace = parseTrace(JSON.parse(readFileSync(step, "utf8")));
    const inspect = await json(["inspect", step, "--json"]);
    const live = liveAt(trace, inspect.peakIndex);
    const allocIndex = new Map<number, number>();
    trace.events.slice(0, inspect.peakIndex + 1).forEach((e, i) => e.kind === "alloc" && allocIndex.set(e.buffer, i));
    const stacked = [...live].sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) || allocIndex.get(a.id)! - allocIndex.get(b.id)!);
    // The largest live buffer (the easiest to point at), and the bytes stacked below it.
    const target = stacked.reduce((best, b) => (b.bytes > best.bytes ? b : best));
    const below = stacked.slice(0, stacked.indexOf(target)).reduce((sum, b) => sum + b.bytes, 0);
    const box = (await page.locator("#chart").boundingBox())!;
    const g = await page.evaluate(() => ({ ...document.getElementById("chart")!.dataset }));
    // The pixel column holding the peak event (column c covers events [c·k, (c+1)·k), k = events per pixel),
    // a quarter pixel in, so that rounding of pointer coordinates keeps it there.
    const column = Math.floor(inspect.peakIndex / (trace.events.length / Number(g.plotWidth)));
    const x = box.x + Number(g.plotLeft) + column + 0.25;
    const y = box.y + Number(g.plotBottom) - ((below + target.bytes / 2) / Number(g.yMax)) * (Number(g.plotBottom) - Number(g.plotTop));
    await page.mouse.move(x, y);
    await page.waitForSelector("#tooltip:not([hidden])");
    expect(await page.getAttribute("#tooltip", "data-event")).toBe(String(inspect.peakIndex));
    expect(await page.getAttribute("#tooltip", "data-buffer-id")).toBe(String(target.id));
    expect(await page.textContent("#tooltip")).toContain(`buffer #${target.id}`);
    await page.mouse.click(x, y);
    await page.waitForSelector("#live-table");
    expect(await page.locator("#live-table tbody tr").count()).toBe(Math.min(500, live.length));
    expect(await page.textContent("#segment-summary")).toMatch(/caching allocator after event \d+: \d+ segments/);
    // Sorting by id from the keyboard: the header button, Enter.
    await page.focus("#live-table th:nth-child(1) button");
    await page.keyboard.press("Enter");
    const ids = await page.$$eval("#live-table tbody tr td:first-child", (tds) => tds.map((td) => Number(td.textContent)));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // Keys on the chart: P jumps to the peak, + zooms in around it.
    await page.focus("#chart");
    await page.keyboard.press("p");
    expect(await page.getAttribute("#tooltip", "data-event")).toBe(String(inspect.peakIndex));
    const before = await page.getAttribute("#chart", "data-domain");
    await page.keyboard.press("+");
    await page.waitForFunction((d) => document.getElementById("chart")!.dataset.domain !== d, before);
    // The chart draws on the next animation frame: read its domain after two.
    const domain = async () => {
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      return (await page.getAttribute("#chart", "data-domain"))!.split(",").map(Number);
    };
    const [d0, d1] = await domain();
    expect(d1 - d0).toBeCloseTo(trace.events.length / 2, 0);
    // Shift+arrows pan by a tenth of the view, at any zoom (here 8x).
    await page.keyboard.press("+");
    await page.keyboard.press("+");
    const [e0, e1] = await domain();
    expect(e1 - e0).toBeCloseTo(trace.events.length / 8, 0);
    const left = e0 > (e1 - e0) / 10;
    await page.keyboard.press(left ? "Shift+ArrowLeft" : "Shift+ArrowRight");
    const [f0] = await domain();
    expect(Math.abs(f0 - e0)).toBeCloseTo((e1 - e0) / 10, 0);
    // The overview from the keyboard: Home shows all, + narrows to half around the middle, arrows move it by a tenth.
    await page.focus("#overview-svg");
    await page.keyboard.press("Home");
    expect(await domain()).toEqual([0, trace.events.length]);
    await page.keyboard.press("+");
    const [g0, g1] = await domain();
    expect([g0, g1 - g0]).toEqual([expect.closeTo(trace.events.length / 4, 0), expect.closeTo(trace.events.length / 2, 0)]);
    await page.keyboard.press("ArrowRight");
    const [h0] = await domain();
    expect(h0 - g0).toBeCloseTo((g1 - g0) / 10, 0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("report: planned keeps the page responsive while it plans (zoom, hover, progress), a newer choice cancels it; the page then plans in the background, and any capacity replays that plan", async () => {
    // 60,000 events of buffers up to 1 MiB, about 1,500 live at once: planning them takes seconds
    // (greedy by size over every buffer's lifetime), long enough to act while the worker works.
    let seed = 7;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const b = traceBuilder({ source: "synthetic" });
    b.mark("forward");
    const live: number[] = [];
    for (let i = 0; i < 60_000; i++) {
      if (live.length === 0 || rand() < 0.52) live.push(b.alloc({ bytes: 256 + Math.floor(rand() * (1 << 20)), category: "activation", op: `Op${i % 7}` }));
      else {
        const k = Math.floor(rand() * live.length);
        b.free(live[k]);
        live[k] = live[live.length - 1];
        live.pop();
      }
    }
    const busy = join(dir, "busy.json");
    writeFileSync(busy, serializeTrace(b.build()));
    const out = join(dir, "busy.html");
    expect((await run(["report", busy, "--out", out])).code).toBe(0);
    const { page, requests, errors } = await open(out);
    expect((await summaryOf(page)).replayedIn).toBe("worker");
    const state = () =>
      page.evaluate(() => new Promise<{ whatif?: string; domain?: string; tooltip: boolean }>((resolve) =>
        requestAnimationFrame(() => resolve({ whatif: document.getElementById("hbmscope-summary")!.dataset.whatif, domain: document.getElementById("chart")!.dataset.domain, tooltip: !document.getElementById("tooltip")!.hidden }))));
    // planned, asked for as the page opens: planned in the first worker; a zoom and a hover answer
    // meanwhile, and the status says how far it is.
    expect(await page.evaluate(() => navigator.hardwareConcurrency)).toBeGreaterThanOrEqual(2);
    await page.selectOption("#allocator", "planned");
    expect(await page.textContent("#whatif-status")).toContain("computing the planned replay");
    await page.focus("#chart");
    const before = (await state()).domain;
    await page.keyboard.press("+");
    const zoomed = await state();
    expect([zoomed.whatif, zoomed.domain === before]).toEqual(["computing", false]);
    const box = (await page.locator("#chart").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height - 40);
    const hovered = await state();
    expect([hovered.whatif, hovered.tooltip]).toEqual(["computing", true]);
    // The worker posts the plan's progress at most every 100 ms.
    await page.waitForFunction(() => {
      const s = document.getElementById("hbmscope-summary")!.dataset;
      return s.progress !== undefined || s.whatif === "done";
    }, undefined, { timeout: 120_000 });
    const progress = (await summaryOf(page)).progress === undefined ? "the answer came first" : await page.textContent("#whatif-status");
    expect(progress).toMatch(/^computing the planned replay: \d+% of the buffers placed… \(the page stays usable\)$/);
    // bfc, chosen while it plans: that plan is cancelled and bfc answered. A second after that answer
    // (two cores or more), the page plans in its second worker.
    await page.selectOption("#allocator", "bfc");
    await page.waitForSelector('#hbmscope-summary[data-allocator="bfc"][data-whatif="done"]', { timeout: 60_000 });
    expect(Number((await summaryOf(page)).reservedBytes)).toBe((await json(["replay", busy, "--allocator", "bfc", "--json"])).reservedPeak);
    await page.waitForSelector('#hbmscope-summary[data-plan="ready"]', { timeout: 120_000 });
    // planned now: the background plan's run, from the cache, with replay's reserved bytes.
    await page.selectOption("#allocator", "planned");
    const planned = await summaryOf(page);
    expect([planned.allocator, planned.whatif, planned.replayedIn, Number(planned.reservedBytes)]).toEqual(["planned", "done", "cache", (await json(["replay", busy, "--allocator", "planned", "--json"])).reservedPeak]);
    // At a capacity: a replay of that plan in the second worker, as replay --capacity gives it.
    const cli = await json(["replay", busy, "--allocator", "planned", "--capacity", "4GiB", "--json"]);
    await page.fill("#capacity", "4GiB");
    await page.press("#capacity", "Enter");
    await page.waitForSelector('#hbmscope-summary[data-whatif="done"][data-replayed-in="worker"]', { timeout: 60_000 });
    expect(Number((await summaryOf(page)).reservedBytes)).toBe(cli.reservedPeak);
    // Back to bfc without a capacity: from the cache, at once.
    await page.fill("#capacity", "");
    await page.selectOption("#allocator", "bfc");
    expect((await summaryOf(page)).replayedIn).toBe("cache");
    expect(await page.textContent("#whatif-status")).toContain("bfc: from the cache");
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
    // Two planned replays in the page and one by the CLI, each seconds long on a loaded machine.
  }, 180_000);

  it("report --compare shows both runs, aligned by phase, with the difference at the peak; a screenshot is not blank", async () => {
    const naive = join(dir, "naive.json");
    const flash = join(dir, "flash.json");
    const sim = ["simulate", "--model", "gpt2", "--batch", "1", "--seq", "1024"];
    expect((await run([...sim, "--attention", "naive", "--out", naive])).code).toBe(0);
    expect((await run([...sim, "--attention", "flash", "--out", flash])).code).toBe(0);
    const out = join(dir, "compare.html");
    expect((await run(["report", naive, "--compare", flash, "--out", out])).code).toBe(0);
    const { page, requests, errors } = await open(out);
    const [a, b] = [await json(["inspect", naive, "--json"]), await json(["inspect", flash, "--json"])];
    const s = await summaryOf(page);
    expect([Number(s.peakBytes), Number(s.comparePeakBytes)]).toEqual([a.peakBytes, b.peakBytes]);
    expect(await page.isVisible("#compare-table")).toBe(true);
    const head = await page.$$eval("#compare-table th", (ths) => ths.map((th) => th.textContent));
    expect(head).toEqual(["phase", "naive.json", "flash.json", "difference"]);
    expect(await page.textContent("#summary-text")).toContain("peak difference (flash.json - naive.json): -");
    // Aligned by phase: each phase's peak in both runs and the difference, in the table and in the plain text.
    const forward = await page.$$eval("#compare-table tbody tr", (trs) => trs.map((tr) => Array.from(tr.children, (td) => td.textContent)).find((r) => r[0] === "forward"));
    expect(forward?.[3]).toMatch(/^-/);
    expect(await page.textContent("#summary-text")).toMatch(/peak by phase \(naive\.json \| flash\.json \| difference\):\n  \w+: /);
    // Not blank: the chart's pixels hold many colours and mostly not the background.
    const pixels = await page.evaluate(() => {
      const c = document.getElementById("chart") as HTMLCanvasElement;
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<number>();
      let painted = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0) painted++;
        colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      }
      return { colours: colours.size, painted: painted / (d.length / 4) };
    });
    expect(pixels.colours).toBeGreaterThan(8);
    expect(pixels.painted).toBeGreaterThan(0.3);
    const png = await page.locator("#chart").screenshot({ path: join(dir, "compare.png") });
    expect(png.length).toBeGreaterThan(5_000);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("report of a PyTorch snapshot: the peak is inspect's and the tooltip shows the buffer's Python frames", async () => {
    const snapshot = new URL("../../core/test/fixtures/snapshot-fresh.pickle", import.meta.url).pathname;
    const out = join(dir, "snapshot.html");
    expect((await run(["report", snapshot, "--out", out])).code).toBe(0);
    const { page, requests, errors } = await open(out);
    const inspect = await json(["inspect", snapshot, "--json"]);
    expect(Number((await summaryOf(page)).peakBytes)).toBe(inspect.peakBytes);
    expect(Number((await summaryOf(page)).reservedBytes)).toBe((await json(["replay", snapshot, "--json"])).reservedPeak);
    await page.focus("#chart");
    await page.keyboard.press("p");
    const text = await page.textContent("#tooltip");
    expect(text).toContain(`event ${inspect.peakIndex}:`);
    expect(text).toMatch(/buffer #\d+[\s\S]*stack \(outermost first\):\n  \w+/);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("report -o - writes the page to standard output, and never writes over its input", async () => {
    const r = await run(["report", step, "-o", "-"]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("<!doctype html>")).toBe(true);
    expect(r.stderr).toContain("wrote standard output");
    const before = readFileSync(step, "utf8");
    const over = await run(["report", step, "--out", step]);
    expect(over.code).not.toBe(0);
    expect(over.stderr).toContain("--out");
    expect(readFileSync(step, "utf8")).toBe(before);
  });

  it("report: a bad --capacity or --allocator is a usage error naming the flag", async () => {
    const r = await run(["report", step, "--out", join(dir, "x.html"), "--capacity", "lots"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--capacity/);
    const a = await run(["report", step, "--out", join(dir, "x.html"), "--allocator", "lru"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("ideal, caching, caching+expandable, bfc, planned");
  });
});
