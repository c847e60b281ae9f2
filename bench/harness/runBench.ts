import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { benchFile, type BenchFile } from "./benchData.js";
import { verdicts, type Stats } from "./goals.js";
import { groups, rows, type Measured, type Row, type RowContext } from "./rows.js";

export interface BenchOptions {
  /** Row or group names; none: every row. */
  names: string[];
  /** Fresh processes per row. @defaultValue 3 */
  runs?: number;
  /** PyTorch's MemoryViz.js (or a file exporting process_alloc_data), for the peer rows. */
  peer?: string;
  /**
   * Another checkout of hbmscope, built (its packages/cli/dist): each whole-process hbmscope row is
   * also run with its CLI, as `<row>@baseline`, interleaved with the others (before/after figures).
   */
  baseline?: string;
}

const root = new URL("../../", import.meta.url).pathname;

/** The rows that `names` select, with the rows they are measured beside (limits, the peer). */
export function selectRows(names: string[]): Row[] {
  const wanted = new Set<string>();
  const add = (name: string) => {
    const row = rows.find((r) => r.name === name);
    if (!row) throw new Error(`pnpm bench: no row or group named ${name}; rows: ${rows.map((r) => r.name).join(", ")}; groups: ${Object.keys(groups).join(", ")}`);
    wanted.add(name);
    for (const w of row.with ?? []) add(w);
  };
  if (names.length === 0) rows.forEach((r) => add(r.name));
  for (const name of names) (groups[name] ?? [name]).forEach(add);
  return rows.filter((r) => wanted.has(r.name));
}

/**
 * Runs each row `runs` times, each time in a fresh process, interleaved (run 1 of every row, then
 * run 2, ...) so that every row sees the same machine load; prints min/median/max, events/s and
 * peak RSS per row, then the goals judged on medians of this run.
 */
export async function runBench(options: BenchOptions): Promise<boolean> {
  const runs = options.runs ?? 3;
  const selected = selectRows(options.names);
  const files = new Map<BenchFile, string>();
  for (const row of selected) for (const f of row.files ?? []) if (!files.has(f)) {
    const t0 = performance.now();
    files.set(f, await benchFile(f));
    const ms = performance.now() - t0;
    if (ms > 1000) console.log(`(generated ${f} in ${(ms / 1000).toFixed(1)} s)`);
  }
  const built = `${root}packages/cli/dist/bin.js`;
  const ctx: RowContext = {
    file: (f) => files.get(f)!,
    cli: existsSync(built) ? [built] : ["--conditions=source", "--import", "tsx", `${root}packages/cli/src/bin.ts`],
    peer: options.peer,
  };
  console.log(`hbmscope bench: ${selected.length} rows, ${runs} fresh processes each, interleaved; CLI ${existsSync(built) ? "built (packages/cli/dist)" : "from source (tsx): run pnpm build for the installed figures"}`);
  if (options.baseline) {
    const other = `${options.baseline.replace(/\/$/, "")}/packages/cli/dist/bin.js`;
    if (!existsSync(other)) throw new Error(`pnpm bench: --baseline needs a built checkout; ${other} does not exist (run pnpm build there)`);
    for (const row of [...selected]) {
      if (!row.command || !row.name.startsWith("inspect-") && !row.name.startsWith("replay-")) continue;
      const command = row.command;
      selected.splice(selected.indexOf(row) + 1, 0, { ...row, name: `${row.name}@baseline`, what: `${row.what}, with the baseline's CLI`, with: [], command: (c) => command({ ...c, cli: [other] }) });
    }
  }
  const results = new Map<string, Measured[]>();
  const skipped = new Map<string, string>();
  for (let r = 0; r < runs; r++) {
    for (const row of selected) {
      if (skipped.has(row.name) || (row.once && r > 0)) continue;
      const m = runOnce(row, ctx);
      if ("skip" in m) {
        skipped.set(row.name, m.skip);
        continue;
      }
      if (m.output) console.log(`--- ${row.name}\n${m.output.trimEnd()}`);
      results.set(row.name, [...(results.get(row.name) ?? []), m]);
    }
  }
  const stats = new Map<string, Stats>();
  console.log("\nrow: min / median / max wall (n processes); events/s at the median; peak RSS");
  for (const row of selected) {
    const skip = skipped.get(row.name);
    if (skip) {
      console.log(`${row.name}: skipped: ${skip}`);
      continue;
    }
    const ms = results.get(row.name)!;
    const st = summarize(ms);
    stats.set(row.name, st);
    const rate = st.events ? `, ${((st.events / st.median) * 1000 / 1e6).toFixed(2)}M events/s` : "";
    const rss = st.rss ? `, RSS ${(st.rss.median / 2 ** 20).toFixed(0)} MiB (max ${(st.rss.max / 2 ** 20).toFixed(0)})` : "";
    const cpu = st.cpu !== undefined ? `, CPU ${st.cpu.toFixed(0)} ms` : "";
    const asides = ms.filter((m) => m.aside !== undefined).map((m) => m.aside!);
    const aside = asides.length ? `; ${asides[0].label} ${asides.map((a) => a.value.toFixed(3)).join(", ")}` : "";
    const value = st.value !== undefined ? `, figure ${st.value.toFixed(3)} (${ms.map((m) => m.value!.toFixed(3)).join(", ")})${aside}` : "";
    console.log(`${row.name}: ${st.min.toFixed(0)} / ${st.median.toFixed(0)} / ${st.max.toFixed(0)} ms (${st.runs})${rate}${cpu}${rss}${value}  [${row.what}]`);
  }
  const judged = verdicts(stats);
  if (judged.length) console.log("\ngoals (issue 17), judged on medians of this run:");
  for (const v of judged) console.log(`  ${v.row}: ${v.figure}; goal ${v.goal}: ${v.met === "skipped" ? "needs --peer" : v.met ? "met" : "MISSED"}`);
  const before = [...stats.keys()].filter((k) => k.endsWith("@baseline") && stats.has(k.slice(0, -"@baseline".length)));
  if (before.length) console.log("\nagainst the baseline (medians of this run):");
  for (const k of before) {
    const name = k.slice(0, -"@baseline".length);
    const [a, b] = [stats.get(name)!, stats.get(k)!];
    console.log(`  ${name}: ${(a.median / 1000).toFixed(2)} s against ${(b.median / 1000).toFixed(2)} s = ${(a.median / b.median).toFixed(2)}x${a.rss && b.rss ? `; RSS ${(a.rss.median / 2 ** 20).toFixed(0)} against ${(b.rss.median / 2 ** 20).toFixed(0)} MiB` : ""}`);
  }
  return judged.every((v) => v.met !== false);
}

function runOnce(row: Row, ctx: RowContext): Measured | { skip: string } {
  let argv: string[];
  if (row.command) {
    const c = row.command(ctx);
    if (!Array.isArray(c)) return c;
    argv = c;
  } else argv = ["--expose-gc", "--conditions=source", "--import", "tsx", new URL("./child.ts", import.meta.url).pathname, row.name];
  const t0 = performance.now();
  const run = spawnSync("/usr/bin/time", ["-f", "maxrss_kb=%M", process.execPath, ...argv], { encoding: "utf8", cwd: root, maxBuffer: 1 << 30 });
  const wall = performance.now() - t0;
  if (run.status !== 0) throw new Error(`pnpm bench: row ${row.name} failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  const rss = Number(/maxrss_kb=(\d+)/.exec(run.stderr)?.[1]) * 1024;
  if (row.command) {
    return { ms: wall, rss, events: row.events };
  }
  const lines = run.stdout.trimEnd().split("\n");
  const m = JSON.parse(lines.pop()!) as Measured;
  return { ...m, rss, output: row.once ? lines.join("\n") : undefined };
}

function summarize(ms: Measured[]): Stats {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const mid = (xs: number[]) => sorted(xs)[Math.floor((xs.length - 1) / 2)];
  const t = sorted(ms.map((m) => m.ms));
  const rss = ms.map((m) => m.rss ?? 0).filter((x) => x > 0);
  const values = ms.map((m) => m.value).filter((v): v is number => v !== undefined);
  const cpus = ms.map((m) => m.cpu).filter((v): v is number => v !== undefined);
  return {
    runs: ms.length,
    min: t[0],
    median: mid(t),
    max: t[t.length - 1],
    events: ms[0].events,
    rss: rss.length ? { median: mid(rss), max: Math.max(...rss) } : undefined,
    value: values.length ? mid(values) : undefined,
    cpu: cpus.length ? mid(cpus) : undefined,
  };
}
