import { fc, test } from "@fast-check/vitest";
import { parseTrace, traceColumns } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { describe, expect, it } from "vitest";
import { decodeReportData } from "../src/decodeReportData.js";
import { reportData } from "../src/reportData.js";

describe("decodeReportData", () => {
  test.prop([traceArbitrary({ maxBuffers: 25, views: true })], { numRuns: 40 })("decodeReportData() gives back traceColumns' arrays exactly, and survives structuredClone", (raw) => {
    const t = parseTrace(raw);
    const d = structuredClone(decodeReportData(JSON.parse(JSON.stringify(reportData(t)))));
    const c = traceColumns(t);
    expect([Array.from(d.columns.bytes), Array.from(d.columns.category), Array.from(d.columns.views), Array.from(d.columns.eventBuffer), Array.from(d.columns.eventAlloc)]).toEqual([
      Array.from(c.bytes), Array.from(c.category), Array.from(c.views), Array.from(c.eventBuffer), Array.from(c.eventAlloc),
    ]);
    expect([d.bufferCount, d.eventCount, d.columns.hasLogical, d.columns.hasKernelTemps]).toEqual([t.buffers.length, t.events.length, c.hasLogical, c.hasKernelTemps]);
  });
  it("decodeReportData() names the column whose length disagrees with the counts", () => {
    const data = reportData(parseTrace({ format: "hbmscope.trace", version: 1, meta: {}, buffers: [{ id: 0, bytes: 8, category: "input" }], events: [{ kind: "alloc", buffer: 0 }], marks: [] }));
    expect(() => decodeReportData({ ...data, bufferCount: 3 })).toThrow("decodeReportData: bytes has 1 elements, expected 3");
    expect(() => decodeReportData({ ...data, version: 2 as 1 })).toThrow('decodeReportData: expected { format: "hbmscope.report-data", version: 1 }');
  });
});
