import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { parseSmiCsv } from "@hbmscope/core";
import { samplesLog, smiTimestamp } from "../../src/monitor/samplesLog.js";

const MiB = 2 ** 20;

describe("samplesLog", () => {
  it("samplesLog() appends each sample as an nvidia-smi CSV line that parseSmiCsv reads back, and remove() deletes the file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "hbmscope-log-")), "sub", "run.trace.json.samples.csv");
    const log = samplesLog(file, "2026-01-15T09:30:00.000Z");
    log.add(0, [{ index: 0, used: 500 * MiB, total: 81559 * MiB }, { index: 1, used: 400 * MiB, total: 81559 * MiB }]);
    log.add(200.4, [{ index: 0, used: 20480 * MiB, total: 81559 * MiB }, { index: 1, used: 19000 * MiB, total: 81559 * MiB }]);
    const text = readFileSync(file, "utf8");
    expect(text.split("\n")[1]).toBe("2026/01/15 09:30:00.000, 0, 500, 81559");
    const back = parseSmiCsv(text);
    expect(back.counters.map((c) => c.samples)).toEqual([
      [[0, 500 * MiB], [200, 20480 * MiB]],
      [[0, 400 * MiB], [200, 19000 * MiB]],
    ]);
    log.remove();
    expect(existsSync(file)).toBe(false);
  });

  it("samplesLog() says which file it cannot write", () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-log-"));
    writeFileSync(join(dir, "file"), "");
    expect(() => samplesLog(join(dir, "file", "x.csv"), new Date(0).toISOString())).toThrow(/^--out: cannot write \S+\/file\/x\.csv: E[A-Z]+$/);
  });

  fcTest.prop([fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 0, max: 1e9 })])("smiTimestamp() differences read back by parseSmiCsv to the millisecond", (t0, dt) => {
    const text = `${smiTimestamp(t0)}, 0, 1, 2\n${smiTimestamp(t0 + dt)}, 0, 1, 2\n`;
    expect(parseSmiCsv(text).counters[0].samples[1][0]).toBe(dt);
  });
});
