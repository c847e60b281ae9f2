import { CATEGORIES, serializeTrace, timeline, type Category, type View } from "@hbmscope/core";
import { stepSubtitle } from "../stepSubtitle.js";
import { ATTENTION_VARIANTS, type StepConfig } from "@hbmscope/tfjs/config";
import { Option, type Command } from "commander";
import { intArg } from "../args.js";
import { CliError } from "../cliError.js";
import { formatBytes } from "@hbmscope/core";
import type { Io } from "../io.js";
import { addStepOptions, flagOf, stepConfigFromFlags, type StepFlags } from "../stepOptions.js";
import { table } from "../table.js";
import { writeOutput } from "../writeOutput.js";
import { checkOutputs } from "../checkOutputs.js";
import { timelineChart } from "@hbmscope/viz";
import { failedRun, WASM_HEAP_BYTES } from "../failedRun.js";
import { loadTfjs } from "../loadTfjs.js";
import { stepHeapEstimate } from "../stepHeapEstimate.js";

/** What `hbmscope profile --json` prints. Sizes in bytes. */
export interface ProfileReport {
  peak: Record<View, number>;
  peakPhase: string;
  peakOp: string;
  byCategoryAtPeak: Record<Category, number>;
  stepMs: number;
  events: number;
}

export function registerProfile(program: Command, io: Io) {
  addStepOptions(
    program
      .command("profile")
      .description("trace one real TensorFlow.js transformer step: peak in the logical, physical and backend views, where it happens, what holds it")
      .option("--seq <n>", "sequence length (default 128)", intArg("--seq", 1, 2 ** 20))
      .addOption(new Option("--attention <variant>", "attention variant").choices([...ATTENTION_VARIANTS])),
  )
    .option("-o, --out <trace.json>", "write the trace (also the partial trace of a failed run; - for standard output)")
    .option("--json", "print one JSON object (sizes in bytes)")
    .option("--svg <file.svg>", "write the timeline chart (physical view: categories, phases, the peak)")
    .addOption(new Option("--x <axis>", "horizontal axis of the --svg chart: event index, op call (a loop's repeated kernels share one) or time (ms) (default: op)").choices(["event", "op", "time"]))
    .action(async (opts: StepFlags & { seq?: number; attention?: StepConfig["attention"]; out?: string; json?: boolean; svg?: string; x?: "event" | "op" | "time" }) => {
      const { seq, attention, out, json, svg, x, ...flags } = opts;
      const { toStdout } = checkOutputs(io, [{ flag: "--out", path: out }, { flag: "--svg", path: svg }], [flags.model], json);
      const say = toStdout ? io.stderr : io.stdout;
      const config = stepConfigFromFlags(flags, io.cwd, { seq, attention });
      if (flags.backend === "wasm") {
        const need = stepHeapEstimate(config, "wasm");
        if (need !== undefined && need > WASM_HEAP_BYTES) {
          io.stderr(`warning: this step needs about ${formatBytes(need)} at its peak (simulated), more than the 4 GiB a wasm heap holds: it will likely run out of memory; try --backend cpu, a smaller --seq or --batch, or --attention flash\n`);
        }
      }
      const { profileStep } = await loadTfjs("profile");
      io.stderr(`profiling one ${config.mode} step on ${flags.backend}...\n`);
      let p;
      try {
        p = await profileStep(config, { backend: flags.backend, name: flagOf });
      } catch (e) {
        throw failedRun(e, out === "-" ? undefined : out, io, flags.backend);
      }
      if (p.accounting.mismatchCount > 0) {
        const m = p.accounting.mismatches[0];
        io.stderr(`warning: traced logical bytes differ from tf.memory().numBytes at ${p.accounting.mismatchCount} events (first at event ${m.event}, op ${m.op}: ${m.traced} vs ${m.tfjs})\n`);
      }
      const views = (["logical", "physical", "backend"] as const).map((view) => timeline(p.trace, { view }));
      const physical = views[1];
      const report: ProfileReport = {
        peak: { logical: views[0].peak.bytes, physical: physical.peak.bytes, backend: views[2].peak.bytes },
        peakPhase: physical.peak.phase,
        peakOp: physical.peak.op,
        byCategoryAtPeak: physical.byCategoryAtPeak,
        stepMs: Math.round(p.ms * 10) / 10,
        events: p.trace.events.length,
      };
      if (out) writeOutput(out, serializeTrace(p.trace), io);
      if (svg) {
        const c = p.config;
        const title = `tfjs ${c.mode} step, ${c.attention} attention, seq ${c.seq} (${flags.backend}, physical view)`;
        writeOutput(svg, timelineChart(p.trace, { view: "physical", title, subtitle: stepSubtitle(c, flags.backend), x }).svg, io, "--svg");
      }
      if (json) return io.stdout(JSON.stringify(report) + "\n");
      const c = p.config;
      say(
        [
          `${c.mode} step on ${flags.backend}: ${stepSubtitle(c, flags.backend).split(" · ").slice(2).join(", ")}`,
          `peak: logical ${formatBytes(report.peak.logical)}, physical ${formatBytes(report.peak.physical)}, backend ${formatBytes(report.peak.backend)}`,
          `physical peak at event ${physical.peak.index}: phase ${physical.peak.phase || "-"}, op ${physical.peak.op || "-"}, scope ${physical.peak.scope || "-"}`,
          "",
          "breakdown at the physical peak:",
          table([
            ["category", "bytes", "share"],
            ...CATEGORIES.filter((k) => report.byCategoryAtPeak[k] > 0).map((k) => [
              k,
              formatBytes(report.byCategoryAtPeak[k]),
              `${((100 * report.byCategoryAtPeak[k]) / (report.peak.physical || 1)).toFixed(1)}%`,
            ]),
          ]),
          `step: ${report.stepMs} ms traced, ${report.events} events${out ? `; trace written to ${out}` : ""}`,
          "",
        ].join("\n"),
      );
    });
}

