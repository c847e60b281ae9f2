import type { TrainingSetup } from "@hbmscope/model";

/**
 * The setup a chart shows, as its subtitle: method (with the LoRA rank), precision, optimizer,
 * attention, checkpointing, batch and sequence, and the parallelism when there is any; two charts
 * of different setups can be told apart without the command that made them.
 */
export function setupSubtitle(setup: TrainingSetup, extra: string[] = []): string {
  const parts = [
    setup.method === "full" ? "full fine-tune" : `${setup.method} r=${setup.loraRank}`,
    `${setup.precision}${setup.precision === "fp32" ? "" : ` (${setup.dtype})`}`,
    setup.optimizer,
    `${setup.attention} attention`,
    `checkpointing ${setup.checkpointing}`,
    `batch ${setup.batch}`,
    `seq ${setup.seq}`,
  ];
  if (setup.dp > 1) parts.push(`dp ${setup.dp}${setup.zero ? ` zero ${setup.zero}` : ""}`);
  if (setup.tp > 1) parts.push(`tp ${setup.tp}${setup.sp ? " sp" : ""}`);
  if (setup.pp > 1) parts.push(`pp ${setup.pp}`);
  return [...parts, ...extra].join(" · ");
}
