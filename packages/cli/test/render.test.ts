import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serializeTrace, traceBuilder } from "@hbmscope/core";
import { run } from "./run.js";

function traceFile(): { dir: string; file: string } {
  const b = traceBuilder({ source: "test" });
  let t = 0;
  b.mark("forward");
  b.alloc({ bytes: 4 << 20, category: "weight", op: "Variable" }, t++);
  const a = b.alloc({ bytes: 3 << 20, category: "activation", op: "MatMul" }, t++);
  b.mark("backward");
  b.alloc({ bytes: 5 << 20, category: "gradient", op: "MatMulGrad" }, t++);
  b.free(a, t++);
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-render-"));
  const file = join(dir, "t.json");
  writeFileSync(file, serializeTrace(b.build()));
  return { dir, file };
}

describe("hbmscope render", () => {
  it("render --out writes a timeline SVG with the peak, phases and categories", async () => {
    const { dir, file } = traceFile();
    const r = await run(["render", file, "--out", "t.svg"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote t.svg: timeline, 800x400, [\d.]+ KiB\n$/);
    const svg = readFileSync(join(dir, "t.svg"), "utf8");
    expect(svg).toContain("peak 12.00 MiB · backward · MatMulGrad");
    expect(svg).toContain(">forward</text>");
    expect(svg).toContain('data-key="gradient"');
  });

  it("render --allocator caching adds the reserved line; --json describes the file", async () => {
    const { dir, file } = traceFile();
    const r = await run(["render", file, "--out", "c.svg", "--allocator", "caching", "--width", "600", "--height", "300", "--json"], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ kind: "timeline", allocator: "caching", view: "physical", width: 600, height: 300 });
    const svg = readFileSync(join(dir, "c.svg"), "utf8");
    expect(out.bytes).toBe(Buffer.byteLength(svg));
    expect(svg).toContain('class="reserved"');
    // one 20 MiB segment holds all three (4 MiB < 10 MiB gets a 20 MiB segment, the rest split from it)
    expect(svg).toContain("reserved (caching), peak 20.00 MiB");
  });

  it("render --kind segments draws the caching allocator's memory map by default", async () => {
    const { dir, file } = traceFile();
    const r = await run(["render", file, "--out", "s.svg", "--kind", "segments"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("segments (caching allocator)");
    expect(readFileSync(join(dir, "s.svg"), "utf8")).toContain("<title>Allocator memory map (caching)</title>");
  });

  it("render rejects segments with the ideal allocator, bad kinds and sizes, naming the flag", async () => {
    const { dir, file } = traceFile();
    const ideal = await run(["render", file, "--out", "s.svg", "--kind", "segments", "--allocator", "ideal"], dir);
    expect(ideal.code).toBe(2);
    expect(ideal.stderr).toContain("--kind segments needs an allocator that places blocks");
    const kind = await run(["render", file, "--out", "s.svg", "--kind", "pie"], dir);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/--kind <kind>.*pie.*timeline, segments/);
    const width = await run(["render", file, "--out", "s.svg", "--width", "10"], dir);
    expect(width.code).toBe(2);
    expect(width.stderr).toContain("--width takes an integer from 200 to 16384");
    for (const huge of [["--width", "1e9"], ["--height", "100000000"]]) {
      const r = await run(["render", file, "--out", "s.svg", ...huge], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${huge[0]} takes an integer from ${huge[0] === "--width" ? 200 : 150} to 16384, got "${huge[1]}"`);
    }
    const missing = await run(["render", file], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--out");
  });

  it("render --x time without event times fails in one line", async () => {
    const b = traceBuilder();
    b.alloc({ bytes: 8, category: "weight" });
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-render-"));
    writeFileSync(join(dir, "n.json"), serializeTrace(b.build()));
    const r = await run(["render", "n.json", "--out", "n.svg", "--x", "time"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('hbmscope: timelineChart: x "time" needs a time on every event; events[0] has none\n');
  });
});

describe("hbmscope render --x and the subtitle", () => {
  it("render draws a tfjs trace by op call by default, any trace by event or op with --x, and says the setup in the subtitle", async () => {
    const b = traceBuilder();
    b.alloc({ bytes: 8, category: "weight", op: "MatMul", scope: "forward/mlp" });
    b.alloc({ bytes: 8, category: "activation", op: "Add", scope: "forward/mlp" });
    const t = b.build();
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-render-"));
    writeFileSync(join(dir, "plain.json"), serializeTrace(t));
    writeFileSync(join(dir, "tfjs.json"), serializeTrace({ ...t, meta: { ...t.meta, source: "tfjs", backend: "cpu" } }));
    const desc = (f: string) => /<desc>([^<]*)<\/desc>/.exec(readFileSync(join(dir, f), "utf8"))![1];
    expect((await run(["render", "tfjs.json", "-o", "a.svg"], dir)).code).toBe(0);
    expect(desc("a.svg")).toContain("x axis by op call (2 calls)");
    expect(desc("a.svg")).toMatch(/^source: tfjs\. /);
    expect((await run(["render", "plain.json", "-o", "b.svg"], dir)).code).toBe(0);
    expect(desc("b.svg")).toContain("x axis by event");
    expect((await run(["render", "plain.json", "-o", "c.svg", "--x", "op"], dir)).code).toBe(0);
    expect(desc("c.svg")).toContain("x axis by op call (2 calls)");
    const bad = await run(["render", "plain.json", "-o", "d.svg", "--x", "ops"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("event, op, time");
  });
});

describe("hbmscope render of a monitored run", () => {
  it("render of a trace that holds only counters (monitor --out) draws them with the stored prediction", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hbmscope-render-"));
    writeFileSync(join(dir, "estimate.json"), JSON.stringify({ total: 60e9, overhead: 545779712 }));
    const log = new URL("../../core/test/fixtures/counters/smi-timestamped.csv", import.meta.url).pathname;
    expect((await run(["monitor", "--from", log, "--expect", "estimate.json", "--out", "run.trace.json"], dir)).code).toBe(0);
    const r = await run(["render", "run.trace.json", "--out", "run.svg"], dir);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^wrote run.svg: counters \(monitored run\), 800x400, /) });
    const svg = readFileSync(join(dir, "run.svg"), "utf8");
    expect(svg).toContain("peak 60.00 GiB · GPU 0 · 2.0 s");
    expect(svg).toContain('class="predicted"');
    expect(svg.match(/class="series" data-key/g)).toHaveLength(2);
  });
});
