import { Option } from "commander";
import type { View } from "@hbmscope/core";

/** `--view logical|physical|backend`, shared by the commands that read traces. */
export function viewOption(defaultView: View = "physical") {
  return new Option("--view <view>", "which memory view to count").choices(["logical", "physical", "backend"]).default(defaultView);
}
