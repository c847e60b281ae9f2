import type { Estimate } from "@hbmscope/model";

/** A breakdown-chart bar from an estimate: what is live at its peak phase, plus the overhead (bytes). */
export function breakdownScenario(label: string, estimate: Estimate): { label: string; parts: { name: string; bytes: number }[] } {
  const p = estimate.peak;
  return {
    label,
    parts: [
      { name: "weights", bytes: p.weights },
      { name: "gradients", bytes: p.gradients },
      { name: "optimizer", bytes: p.optimizer },
      { name: "activations", bytes: p.activations },
      { name: "temporary", bytes: p.temporary },
      { name: "overhead", bytes: estimate.overhead.bytes },
    ].filter((part) => part.bytes > 0),
  };
}
