import type { Trace } from "@hbmscope/core";
import type { TrainingSetup } from "@hbmscope/model";
import type { StepConfig } from "@hbmscope/tfjs/config";
import { setupSubtitle } from "./setupSubtitle.js";
import { stepSubtitle } from "./stepSubtitle.js";

/**
 * A chart subtitle from what a trace's meta says about how it was made: a simulated step's model
 * and setup, a tfjs step's dimensions and backend, an imported snapshot's origin; "" when the
 * meta says nothing usable.
 */
export function traceSubtitle(trace: Trace): string {
  const meta = (trace.meta ?? {}) as Record<string, unknown>;
  const model = (meta.model ?? {}) as Record<string, unknown>;
  const setup = meta.setup as Record<string, unknown> | undefined;
  try {
    if (meta.source === "simulated" && setup && typeof setup.method === "string") {
      const name = typeof model.name === "string" ? model.name : "model";
      return `${name} · ${setupSubtitle(setup as unknown as TrainingSetup, [`simulated (${String(meta.semantics ?? "eager")} semantics)`])}`;
    }
    if (meta.source === "tfjs" && setup && typeof model.hidden === "number") {
      return `tfjs · ${stepSubtitle({ ...(model as object), ...(setup as object) } as StepConfig, String(meta.backend ?? ""))}`;
    }
  } catch {
    // A meta written by another version: no subtitle rather than a wrong one.
    return "";
  }
  if (meta.source === "imported") return `imported from ${String(meta.importedFrom ?? "a snapshot")}`;
  return typeof meta.source === "string" ? `source: ${meta.source}` : "";
}
