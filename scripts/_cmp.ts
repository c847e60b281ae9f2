import { readFileSync } from "node:fs";
import { simulateStep } from "@hbmscope/model";
import { setupFromRecording } from "../packages/model/src/fidelity/setupFromRecording.js";
import { timeline, liveAt, parseTrace } from "@hbmscope/core";
const verbose = process.argv.includes("-v");
for (const f of process.argv.slice(2).filter((a) => a !== "-v")) {
  const rec = parseTrace(JSON.parse(readFileSync(f, "utf8")));
  const c = (rec.meta as any).case;
  const { model, setup, mode } = setupFromRecording(c, (rec.meta as any).hfConfigResolved);
  const sim = simulateStep(model, setup, { mode });
  const tr = timeline(rec), ts = timeline(sim);
  const err = (ts.peak.bytes - tr.peak.bytes) / tr.peak.bytes;
  console.log(`${c.name.padEnd(34)} rec ${tr.peak.bytes} (${tr.peak.phase}) sim ${ts.peak.bytes} (${ts.peak.phase}) err ${(100 * err).toFixed(2)}%`);
  if (verbose) {
    for (const [name, t, tl] of [["REC", rec, tr], ["SIM", sim, ts]] as const) {
      const live = liveAt(t, tl.peak.index, { limit: 100000 });
      console.log(` ${name} at ${tl.peak.op} ${tl.peak.scope ?? ""} ${JSON.stringify(tl.byCategoryAtPeak)}`);
      const bufs = live.filter((b: any) => b.phase !== "setup").sort((a: any, b: any) => b.bytes - a.bytes);
      for (const b of bufs.slice(0, 40)) console.log(`   ${String(b.bytes).padStart(9)} ${b.category.padEnd(10)} ${b.dtype} ${JSON.stringify(b.shape)} ${b.op} ${b.scope}`);
      const setupB = live.filter((b: any) => b.phase === "setup").reduce((s: number, b: any) => s + b.bytes, 0);
      console.log(`   setup-phase bytes live: ${setupB}`);
    }
  }
}
