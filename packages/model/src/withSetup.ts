import { produce, type Draft } from "immer";
import type { TrainingSetup } from "./modelSpec.js";
import { validateSetup } from "./validateSetup.js";

/**
 * A new setup derived from `base` by a recipe that edits a draft (immer's `produce`); the result is
 * deeply frozen and validated (model-independent checks; `estimate` checks it against the model).
 *
 * @example withSetup(defaultSetup, (d) => { d.method = "qlora"; d.loraRank = 64 })
 */
export function withSetup(base: TrainingSetup, recipe: (draft: Draft<TrainingSetup>) => void): TrainingSetup {
  return validateSetup(undefined, produce(base, recipe));
}
