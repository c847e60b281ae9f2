import { readFileSync } from "node:fs";
import { parseTrace } from "@hbmscope/core";
import { compareRecording } from "@hbmscope/model";
const r = compareRecording(parseTrace(JSON.parse(readFileSync("packages/model/test/fixtures/torch/gpt2-gc-fp32-sdpa.trace.json", "utf8"))));
console.log(JSON.stringify(r));
