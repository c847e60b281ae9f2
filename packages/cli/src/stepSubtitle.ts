import type { StepConfig } from "@hbmscope/tfjs/config";

/**
 * The setup of a traced tfjs step, as a chart subtitle: mode, backend, the model's dimensions,
 * sequence, batch, attention (with its block), norm and optimizer.
 */
export function stepSubtitle(c: StepConfig, backend: string): string {
  return [
    `${c.mode} step`,
    backend,
    `vocab ${c.vocab}`,
    `hidden ${c.hidden}`,
    `heads ${c.heads}`,
    `layers ${c.layers}`,
    `ffn ${c.ffn}`,
    `seq ${c.seq}`,
    `batch ${c.batch}`,
    `attention ${c.attention}${c.attention === "naive" ? "" : ` (block ${c.blockSize})`}`,
    c.norm,
    ...(c.mode === "train" ? [c.optimizer] : []),
  ].join(" · ");
}
