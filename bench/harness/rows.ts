import type { BenchFile } from "./benchData.js";
import type { Allocator, Trace } from "@hbmscope/core";

/** What one fresh process measured of a row. */
export interface Measured {
  /** Wall milliseconds: of the whole process (process rows) or of the timed work (in-process rows). */
  ms: number;
  /** Events handled, for events/s. */
  events?: number;
  /** Peak resident set of the process, bytes. */
  rss?: number;
  /** CPU milliseconds of the timed work (user + system, all threads: garbage collection included). */
  cpu?: number;
  /** A row's own figure (the tfjs overhead ratio), judged instead of the time. */
  value?: number;
  /** A figure shown beside `value`, not judged (the tfjs overhead's cold cost). */
  aside?: { label: string; value: number };
  /** Lines the row printed (sections), shown once. */
  output?: string;
}

/** Where a process row's command comes from. */
export interface RowContext {
  file(name: BenchFile): string;
  /** argv (after node) of the hbmscope CLI: the built one when it exists, else from source. */
  cli: string[];
  /** The peer's file (`--peer`), if given. */
  peer?: string;
}

export interface Row {
  name: string;
  /** One line: what is measured. */
  what: string;
  /** Input files it needs (generated once, before any row runs). */
  files?: BenchFile[];
  /** Rows measured beside it in the same run (limits, the peer): its goal's ratios use them. */
  with?: string[];
  /** A whole process: node with these arguments, timed from spawn to exit. */
  command?(ctx: RowContext): string[] | { skip: string };
  /** In a fresh child process (bench/harness/child.ts): the timed work, its own setup excluded. */
  run?(): Promise<Measured>;
  /** Events in its input, for a process row's events/s. */
  events?: number;
  /** Runs once, whatever --runs says (sections print their own figures). */
  once?: boolean;
}

const here = (name: string) => new URL(`./${name}`, import.meta.url).pathname;
const peerSkip = { skip: "needs --peer path/to/MemoryViz.js (PyTorch's torch/utils/viz/MemoryViz.js, read at run time, never copied here)" };

function inspectRows(size: "1m" | "100k"): Row[] {
  const file = `snapshot-${size}.json` as const;
  const events = size === "1m" ? 1_000_000 : 100_000;
  return [
    {
      name: `inspect-snapshot-${size}`,
      what: `hbmscope inspect of a PyTorch snapshot JSON, ${size} entries, whole process`,
      files: [file],
      events,
      with: [`limit-snapshot-${size}`, `peer-snapshot-${size}`],
      command: (c) => [...c.cli, "inspect", c.file(file), "--json"],
    },
    {
      name: `limit-snapshot-${size}`,
      what: `the limit: read, JSON.parse, one typed-array pass over the ${size}-entry snapshot, whole process`,
      files: [file],
      events,
      command: (c) => [here("limit.mjs"), c.file(file), "snapshot"],
    },
    {
      name: `peer-snapshot-${size}`,
      what: `PyTorch memory_viz: JSON.parse + process_alloc_data of the ${size}-entry snapshot, whole process`,
      files: [file],
      events,
      command: (c) => (c.peer ? [here("peer.mjs"), c.peer, c.file(file)] : peerSkip),
    },
  ];
}

/**
 * Allocator replay in a fresh process: median of 3 timed replays after a warm-up, each after a full
 * collection. `engine: "js"` (rows named `<row>@js`) forces the JS replay loop where `replay` would
 * run the caching or BFC allocator in WebAssembly (core's internal `replayWith`).
 */
function replayRow(allocator: "caching" | "expandable" | "bfc" | "planned" | "ideal", trace: "training" | "adversarial", events: number, engine?: "js"): Row {
  return {
    name: `${allocator}-${trace}${events === 1_000_000 ? "" : `-${events / 1000}k`}${engine ? `@${engine}` : ""}`,
    what: `${allocator} replay in process${engine ? `, ${engine} engine` : ""}, ${trace} trace (${events / 1e6}M events), median of 3 after a warm-up`,
    run: async () => {
      const core = await import("@hbmscope/core");
      const { replayWith } = await import("../../packages/core/src/replay/replay.js");
      const replay = (t: Trace, a: Allocator) => (engine ? replayWith(t, a, {}, engine) : core.replay(t, a));
      const t = trace === "training" ? (await import("../trainingTrace.js")).trainingTrace(events) : (await import("../syntheticTrace.js")).syntheticTrace(events);
      core.traceColumns(t);
      const make = () =>
        allocator === "ideal"
          ? core.ideal()
          : allocator === "planned"
            ? core.plannedArena()
            : allocator === "bfc"
              ? core.bfcAllocator()
              : core.cachingAllocator({ expandableSegments: allocator === "expandable" });
      replay(t, make());
      const times: number[] = [];
      const cpus: number[] = [];
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) {
        // The previous replay's output is collected first, outside the timing (as in a fresh process).
        gc?.();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        replay(t, make());
        times.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpus.push((c.user + c.system) / 1000);
      }
      times.sort((a, b) => a - b);
      cpus.sort((a, b) => a - b);
      return { ms: times[1], cpu: cpus[1], events: t.events.length };
    },
  };
}

/** A section of the older benchmark (it prints its own figures and targets), once, in its own process. */
function section(name: string, what: string, load: () => Promise<() => unknown>): Row {
  return {
    name,
    what,
    once: true,
    run: async () => {
      const fn = await load();
      const t0 = performance.now();
      await fn();
      return { ms: performance.now() - t0 };
    },
  };
}

/** Every row, in the order they run. */
export const rows: Row[] = [
  ...inspectRows("1m"),
  ...inspectRows("100k"),
  {
    name: "inspect-trace-3m",
    what: "hbmscope inspect of a 3M-event trace JSON (read in chunks), whole process",
    files: ["trace-3m.json"],
    events: 3_000_000,
    with: ["limit-trace-3m"],
    command: (c) => [...c.cli, "inspect", c.file("trace-3m.json"), "--json"],
  },
  {
    name: "limit-trace-3m",
    what: "the limit: read, JSON.parse, one typed-array pass over the 3M-event trace, whole process",
    files: ["trace-3m.json"],
    events: 3_000_000,
    command: (c) => [here("limit.mjs"), c.file("trace-3m.json"), "trace"],
  },
  {
    name: "replay-planned-1m",
    what: "hbmscope replay --allocator planned of 1M events of Llama-2-7B training, whole process",
    files: ["training-1m.json"],
    events: 1_000_000,
    with: ["limit-training-1m"],
    command: (c) => [...c.cli, "replay", c.file("training-1m.json"), "--allocator", "planned", "--json"],
  },
  {
    name: "limit-training-1m",
    what: "the limit: read, JSON.parse, one typed-array pass over the 1M-event training trace, whole process",
    files: ["training-1m.json"],
    events: 1_000_000,
    command: (c) => [here("limit.mjs"), c.file("training-1m.json"), "trace"],
  },
  // The replay's own floor: the same loop and outputs with no allocator work (ideal), beside them.
  replayRow("ideal", "training", 1_000_000),
  replayRow("caching", "training", 1_000_000),
  replayRow("expandable", "training", 1_000_000),
  replayRow("bfc", "training", 1_000_000),
  replayRow("planned", "training", 1_000_000),
  replayRow("ideal", "adversarial", 1_000_000),
  replayRow("caching", "adversarial", 1_000_000),
  replayRow("expandable", "adversarial", 1_000_000),
  replayRow("bfc", "adversarial", 1_000_000),
  // The same replays with the JS loop, where replay() runs them in WebAssembly (before/after).
  replayRow("caching", "training", 1_000_000, "js"),
  replayRow("expandable", "training", 1_000_000, "js"),
  replayRow("bfc", "training", 1_000_000, "js"),
  replayRow("caching", "adversarial", 1_000_000, "js"),
  replayRow("expandable", "adversarial", 1_000_000, "js"),
  replayRow("bfc", "adversarial", 1_000_000, "js"),
  replayRow("planned", "adversarial", 30_000),
  {
    name: "tfjs",
    what: "tfjs tracing overhead: median traced/untraced CPU ratio of 60 pairs after 10 warm-up pairs (bench/tfjs.bench.ts)",
    run: async () => {
      const { tfjsBench } = await import("../tfjs.bench.js");
      const t0 = performance.now();
      const { ratio, cold } = await tfjsBench(60);
      return { ms: performance.now() - t0, value: ratio, aside: { label: "cold cost (the warm-up pairs' CPU ratio)", value: cold } };
    },
  },
  section("timeline", "timeline throughput on 1M events (bench/timeline.bench.ts)", async () => (await import("../timeline.bench.js")).timelineBench),
  section("viz", "chart rendering (bench/viz.bench.ts)", async () => (await import("../viz.bench.js")).vizBench),
  section("sim", "step simulation (bench/sim.bench.ts)", async () => (await import("../sim.bench.js")).simBench),
  section("model", "model estimates (bench/model.bench.ts)", async () => (await import("../model.bench.js")).modelBench),
  section("interop", "PyTorch snapshot pickle import and its memory (bench/interop.bench.ts)", async () => (await import("../interop.bench.js")).interopBench),
  section("report", "the report package (bench/report.bench.ts)", async () => (await import("../report.bench.js")).reportBench),
];

/** Names that stand for several rows. */
export const groups: Record<string, string[]> = {
  snapshot: ["inspect-snapshot-1m"],
  startup: ["inspect-snapshot-100k"],
  peer: ["inspect-snapshot-1m", "inspect-snapshot-100k"],
  trace: ["inspect-trace-3m"],
  planned: ["replay-planned-1m", "planned-training", "planned-adversarial-30k"],
  alloc: rows.filter((r) => r.run && /-(training|adversarial)/.test(r.name) && !r.name.endsWith("@js")).map((r) => r.name),
  wasm: ["caching-training", "caching-training@js", "expandable-training", "expandable-training@js", "expandable-adversarial", "expandable-adversarial@js", "bfc-training", "bfc-training@js", "caching-adversarial", "caching-adversarial@js", "bfc-adversarial", "bfc-adversarial@js"],
  goals: ["inspect-snapshot-1m", "inspect-snapshot-100k", "inspect-trace-3m", "replay-planned-1m", "ideal-training", "caching-training", "expandable-training", "bfc-training", "ideal-adversarial", "caching-adversarial", "expandable-adversarial", "bfc-adversarial", "tfjs"],
};
