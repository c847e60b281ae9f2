import { serializeTrace } from "@hbmscope/core";
import { stepSubtitle } from "../stepSubtitle.js";
import { ATTENTION_VARIANTS, type AttentionVariant } from "@hbmscope/tfjs/config";
import type { AttentionRow } from "@hbmscope/tfjs";
import { InvalidArgumentError, type Command } from "commander";
import { intListArg } from "../args.js";
import { CliError } from "../cliError.js";
import { failedRun } from "../failedRun.js";
import { loadTfjs } from "../loadTfjs.js";
import { formatBytes } from "@hbmscope/core";
import type { Io } from "../io.js";
import { addStepOptions, flagOf, stepConfigFromFlags, type StepFlags } from "../stepOptions.js";
import { table } from "../table.js";
import { writeOutput } from "../writeOutput.js";
import { checkOutputs } from "../checkOutputs.js";
import { attentionChart } from "@hbmscope/viz";

function variantList(value: string): AttentionVariant[] {
  const list = value.split(",").map((v) => v.trim());
  for (const v of list) {
    if (!(ATTENTION_VARIANTS as readonly string[]).includes(v)) {
      throw new InvalidArgumentError(`--variants: unknown variant ${JSON.stringify(v)}; accepted: ${ATTENTION_VARIANTS.join(", ")}`);
    }
  }
  return list as AttentionVariant[];
}

const MODES = ["train", "forward"] as const;
type Mode = (typeof MODES)[number];

function modeList(value: string): Mode[] {
  const list = [...new Set(value.split(",").map((v) => v.trim()))];
  for (const m of list) {
    if (!(MODES as readonly string[]).includes(m)) throw new InvalidArgumentError(`--modes: unknown mode ${JSON.stringify(m)}; accepted: ${MODES.join(", ")} (comma-separated)`);
  }
  return list as Mode[];
}

/** The compare-attention table, one row per variant and sequence length. */
export function renderAttentionRows(rows: AttentionRow[]): string {
  return table([
    ["variant", "seq", "mode", "logical", "physical", "backend", "attention extra", "step ms", "max diff vs naive"],
    ...rows.map((r) => [
      r.variant,
      r.seq,
      r.mode,
      formatBytes(r.peak.logical),
      formatBytes(r.peak.physical),
      formatBytes(r.peak.backend),
      formatBytes(r.attentionExtraBytes),
      r.stepMs.toFixed(0),
      r.maxGradDiff.toExponential(1),
    ]),
  ]);
}

export function registerCompareAttention(program: Command, io: Io) {
  addStepOptions(
    program
      .command("compare-attention")
      .description("run every attention variant on the same tfjs model and compare peaks (three views), attention bytes, time, and results vs naive")
      .option("--seq <list>", "sequence lengths, comma-separated", intListArg("--seq", 1, 2 ** 20), [256, 512, 1024])
      .option("--variants <list>", `variants to run (naive always runs as the reference), from ${ATTENTION_VARIANTS.join(", ")}`, variantList, [...ATTENTION_VARIANTS]),
  )
    .option("--modes <list>", "run several modes in one comparison, comma-separated, from train, forward (the chart gets a panel per mode); instead of --mode", modeList)
    .option("--out <dir>", "write each run's trace as <dir>/<variant>-seq<seq>-<mode>.trace.json")
    .option("--json", "print one JSON object { rows: [...] } (sizes in bytes)")
    .option("--svg <file.svg>", "write the chart: peak memory against sequence length per variant")
    .action(async (opts: StepFlags & { seq: number[]; variants: AttentionVariant[]; modes?: Mode[]; out?: string; json?: boolean; svg?: string }) => {
      const { seq, variants, modes: modesFlag, out, json, svg, ...flags } = opts;
      if (modesFlag !== undefined && flags.mode !== undefined) throw new CliError("compare-attention takes --mode or --modes, not both", 2);
      const modes: (Mode | undefined)[] = modesFlag ?? [flags.mode];
      const { toStdout } = checkOutputs(io, [{ flag: "--out", path: out, directory: true }, { flag: "--svg", path: svg }], [flags.model], json);
      const configs = modes.map((mode) => stepConfigFromFlags({ ...flags, mode }, io.cwd, { seq: Math.max(...seq) }));
      const total = configs.length * seq.length * (variants.includes("naive") ? variants.length : variants.length + 1);
      let done = 0;
      let current = "";
      const { compareAttention } = await loadTfjs("compare-attention");
      const rows: AttentionRow[] = [];
      try {
        for (const config of configs) {
          const modeRows = await compareAttention({
            config,
            seqs: seq,
            variants,
            backend: flags.backend,
            name: flagOf,
            onProgress: (m) => {
              current = m;
              io.stderr(`[${++done}/${total}] ${m}\n`);
            },
            onTrace: (row, trace) => {
              if (out) writeOutput(`${out}/${row.variant}-seq${row.seq}-${row.mode}.trace.json`, serializeTrace(trace), io);
            },
          });
          rows.push(...modeRows);
        }
      } catch (e) {
        const file = out ? `${out}/failed-${current.split(" ")[0]}.trace.json` : undefined;
        throw failedRun(e, file, io, flags.backend);
      }
      if (svg) {
        // The setup without the sequence (the x axis) and the attention (the lines).
        // With several modes, each panel names its mode; the subtitle keeps the training setup.
        const shown = configs.find((c) => c.mode === "train") ?? configs[0];
        const subtitle = stepSubtitle(shown, flags.backend)
          .split(" · ")
          .filter((p) => !/^(seq|attention) /.test(p) && !(configs.length > 1 && / step$/.test(p)))
          .concat(`seqs ${seq.join(", ")}`)
          .join(" · ");
        writeOutput(svg, attentionChart({ rows }, { title: `Attention variants: peak memory by sequence length (${flags.backend})`, subtitle }).svg, io, "--svg");
      }
      if (json) return io.stdout(JSON.stringify({ rows }) + "\n");
      const say = toStdout ? io.stderr : io.stdout;
      say(renderAttentionRows(rows));
      if (out) say(`traces written to ${out}/\n`);
    });
}
