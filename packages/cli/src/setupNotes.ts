import type { SetupFlags } from "./setupOptions.js";

/**
 * Notes on setup flags given on the command line that have no effect in the setup they describe,
 * each saying why (`--zero 3 has no effect with --dp 1: ...`). `given(name)` says whether a flag
 * (commander's camel-cased name) was typed rather than defaulted. Printed on stderr as `note: ...`
 * and carried in `--json` as `notes`, so an answer never changes silently from what was asked.
 */
export function setupNotes(flags: SetupFlags & { mode?: string; trainableParams?: number; model?: string }, given: (name: string) => boolean): string[] {
  const notes: string[] = [];
  const dp = flags.dp ?? 1;
  const tp = flags.tp ?? 1;
  const pp = flags.pp ?? 1;
  if (given("zero") && flags.zero !== undefined && flags.zero !== "0" && dp === 1) {
    notes.push(`--zero ${flags.zero} has no effect with --dp 1: ZeRO shards model states over the data-parallel group, here one GPU`);
  }
  if (given("sp") && flags.sp && tp === 1) notes.push("--sp has no effect with --tp 1: sequence parallelism splits activations over the tensor-parallel group, here one GPU");
  if (given("microbatches") && pp === 1) notes.push("--microbatches has no effect with --pp 1: microbatches in flight matter only to a pipeline");
  for (const [name, flag] of [["schedule", `--schedule ${flags.schedule}`], ["schedules", "--schedules"], ["virtualStages", "--virtual-stages"]] as const) {
    if (given(name) && pp === 1) notes.push(`${flag} has no effect with --pp 1: a schedule orders the microbatches of a pipeline`);
  }
  const schedules = flags.schedules ?? [flags.schedule ?? "1f1b"];
  if (given("virtualStages") && pp > 1 && !schedules.includes("interleaved")) notes.push("--virtual-stages has no effect without the interleaved schedule: gpipe and 1f1b run one model chunk per GPU");
  if (given("schedule") && given("schedules")) notes.push(`--schedule ${flags.schedule} has no effect with --schedules: the list is run`);
  if ((flags.method ?? "full") === "full") {
    for (const [name, flag] of [["loraRank", "--lora-rank"], ["loraTargets", "--lora-targets"]] as const) {
      if (given(name)) notes.push(`${flag} has no effect with --method full: only LoRA and QLoRA add adapters`);
    }
  }
  if (given("dtype") && flags.precision === "fp32") notes.push(`--dtype ${flags.dtype} has no effect with --precision fp32: everything is fp32; --dtype picks the 16-bit type of the other policies`);
  if (given("trainableParams") && flags.model !== undefined) notes.push("--trainable-params has no effect with --model: the adapters' size comes from the model, --lora-rank and --lora-targets");
  if (flags.mode === "forward" && given("optimizer")) notes.push(`--optimizer ${flags.optimizer} has no effect with --mode forward: a forward pass has no optimizer step`);
  if (flags.mode === "forward" && given("checkpointing") && flags.checkpointing !== "none") notes.push(`--checkpointing ${flags.checkpointing} has no effect with --mode forward: nothing is saved for a backward pass`);
  return notes;
}
