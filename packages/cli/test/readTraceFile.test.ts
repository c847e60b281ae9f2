import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importTorchSnapshot, isLazyPending, serializeTrace, timeline, writePickle } from "@hbmscope/core";
import { readTraceFile } from "../src/readTraceFile.js";
import { CliError } from "../src/cliError.js";

const dir = mkdtempSync(join(tmpdir(), "hbmscope-read-"));
const fileWith = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const snapshot = { segments: [], device_traces: [[
  { action: "alloc", addr: 0, size: 4096, stream: 0, time_us: 1 },
  { action: "alloc", addr: 8192, size: 1024, stream: 0, time_us: 2 },
  { action: "free_completed", addr: 0, size: 4096, stream: 0, time_us: 3 },
]] };

describe("readTraceFile", () => {
  const trace = importTorchSnapshot(snapshot);
  const text = serializeTrace(trace);

  it("readTraceFile() reads a trace above streamAbove in chunks, to the same trace as below it", () => {
    const path = fileWith("t.json", text);
    const whole = readTraceFile(path, dir);
    const streamed = readTraceFile(path, dir, { streamAbove: 10 });
    expect(isLazyPending(streamed)).toBe(true);
    expect(timeline(streamed)).toEqual(timeline(whole));
    expect(serializeTrace(streamed)).toBe(serializeTrace(whole));
  });

  it("readTraceFile() reads a trace as hbmscope writes it in chunks at any size, and any other JSON trace whole", () => {
    const path = fileWith("small.json", text);
    const read = readTraceFile(path, dir);
    expect(isLazyPending(read)).toBe(true);
    const indented = readTraceFile(fileWith("indented.json", serializeTrace(trace, { indent: 2 })), dir);
    expect(isLazyPending(indented)).toBe(false);
    expect(serializeTrace(read)).toBe(serializeTrace(indented));
  });

  it("readTraceFile() reads what the chunked reader refuses as it always did: a field given twice as JSON.parse does, bad JSON with JSON.parse's words", () => {
    const twice = text.replace(/}$/, ',"meta":{"source":"second"}}');
    expect(readTraceFile(fileWith("twice.json", twice), dir).meta).toEqual({ source: "second" });
    const broken = text.slice(0, -3);
    fileWith("broken.json", broken);
    expect(() => readTraceFile("broken.json", dir)).toThrow(/^broken\.json: not valid JSON \(.*\); expected an hbmscope trace or a PyTorch memory snapshot$/);
    const wrong = text.replace('"kind":"free"', '"kind":"gone"');
    fileWith("wrong.json", wrong);
    expect(() => readTraceFile("wrong.json", dir)).toThrow('wrong.json: events[2]: kind must be "alloc" or "free", got "gone"');
  });

  it("readTraceFile() reads a pickle in chunks, and a JSON snapshot below streamAbove whole", () => {
    expect(serializeTrace(readTraceFile(fileWith("s.pickle", writePickle(snapshot)), dir))).toBe(text);
    expect(serializeTrace(readTraceFile(fileWith("s.json", JSON.stringify(snapshot)), dir))).toBe(text);
  });

  it("readTraceFile() reads a JSON snapshot above streamAbove in chunks, to the trace of its pickle", () => {
    const streamed = readTraceFile(fileWith("big-snapshot.json", JSON.stringify(snapshot, null, 1)), dir, { streamAbove: 10 });
    expect(isLazyPending(streamed)).toBe(true);
    expect(serializeTrace(streamed)).toBe(text);
  });

  it("readTraceFile() names the file and the problem when a large JSON file is neither a trace nor a snapshot", () => {
    fileWith("other.json", JSON.stringify({ hello: [1, 2, 3] }));
    let error: unknown;
    try {
      readTraceFile("other.json", dir, { streamAbove: 10 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toBe('other.json: format: expected "hbmscope.trace", got undefined');
  });

  it("readTraceFile() says a missing file is missing", () => {
    expect(() => readTraceFile("nope.json", dir)).toThrow("cannot read trace file nope.json: ENOENT");
  });
});
