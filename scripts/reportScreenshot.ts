/**
 * `pnpm run docs:report`: docs/img/report.png, the README's screenshot of `hbmscope report`: a
 * simulated GPT-2 step with naive attention compared with flash, the live set at the peak open.
 * Needs Debian's chromium (`apt-get install chromium`), driven by playwright-core.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { defaultSetup, preset, simulateStep, withSetup } from "@hbmscope/model";
import { reportHtml } from "@hbmscope/report";
import { chromium } from "playwright-core";

const gpt2 = preset("gpt2");
const step = (attention: "naive" | "flash") =>
  simulateStep(gpt2, withSetup(defaultSetup, (d) => {
    d.batch = 1;
    d.seq = 1024;
    d.attention = attention;
  }), { semantics: "eager" });
const html = reportHtml(step("naive"), { name: "gpt2 naive", compare: { trace: step("flash"), name: "gpt2 flash" } }).html;
const file = join(mkdtempSync(join(tmpdir(), "hbmscope-docs-")), "report.html");
writeFileSync(file, html);

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
await page.goto(pathToFileURL(file).href);
await page.waitForSelector("body[data-ready]");
await page.focus("#chart");
await page.keyboard.press("p");
await page.keyboard.press("Enter");
const out = new URL("../docs/img/report.png", import.meta.url).pathname;
await page.screenshot({ path: out });
await browser.close();
console.log(`docs/img/report.png`);
