import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { phaseComparison } from "../src/phaseComparison.js";

const run = fc.record({
  peakBytes: fc.nat(),
  phasePeaks: fc.uniqueArray(fc.record({ phase: fc.constantFrom("setup", "forward", "backward", "optimizer", "x"), bytes: fc.nat() }), { selector: (p) => p.phase, maxLength: 5 }),
});

describe("phaseComparison", () => {
  test.prop([run, run])("phaseComparison() has a row per phase of either run, a's order first, the whole step last, difference b - a where both have it", (a, b) => {
    const rows = phaseComparison(a, b);
    const phases = [...new Set([...a.phasePeaks.map((p) => p.phase), ...b.phasePeaks.map((p) => p.phase)])];
    expect(rows.map((r) => r.phase)).toEqual([...phases, ""]);
    for (const r of rows.slice(0, -1)) {
      const va = a.phasePeaks.find((p) => p.phase === r.phase)?.bytes ?? null;
      const vb = b.phasePeaks.find((p) => p.phase === r.phase)?.bytes ?? null;
      expect(r).toEqual({ phase: r.phase, a: va, b: vb, difference: va !== null && vb !== null ? vb - va : null });
    }
    expect(rows[rows.length - 1]).toEqual({ phase: "", a: a.peakBytes, b: b.peakBytes, difference: b.peakBytes - a.peakBytes });
  });
  it("phaseComparison() of naive against flash attention: a smaller forward peak is a negative difference", () => {
    const rows = phaseComparison({ peakBytes: 900, phasePeaks: [{ phase: "forward", bytes: 900 }, { phase: "backward", bytes: 700 }] }, { peakBytes: 600, phasePeaks: [{ phase: "forward", bytes: 600 }] });
    expect(rows).toEqual([
      { phase: "forward", a: 900, b: 600, difference: -300 },
      { phase: "backward", a: 700, b: null, difference: null },
      { phase: "", a: 900, b: 600, difference: -300 },
    ]);
  });
});
