import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPickle, writePickle } from "@hbmscope/core";
import { snapshotPickleBytes, writeSnapshotPickleFile } from "./snapshotPickleFile.js";
import { syntheticHistory, syntheticSnapshot } from "./syntheticSnapshot.js";

const sizes = [0, 1, 7, 2500];
const depths = [2, 24];
const styles = ["plain", "python"] as const;

function hasPython(): boolean {
  try {
    execFileSync("python3", ["-c", "import pickle"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("snapshotPickleBytes", () => {
  for (const entries of sizes)
    for (const stackDepth of depths)
      for (const style of styles) {
        it(`snapshotPickleBytes() in style ${style} reads back as syntheticSnapshot(${entries}, 7, ${stackDepth})`, () => {
          const bytes = snapshotPickleBytes({ entries, stackDepth, style });
          expect(readPickle(bytes)).toEqual(syntheticSnapshot(entries, 7, stackDepth));
        });
      }

  for (const entries of sizes)
    for (const stackDepth of depths) {
      it(`snapshotPickleBytes() in style plain is writePickle(syntheticSnapshot(${entries}, 7, ${stackDepth}))`, () => {
        const bytes = snapshotPickleBytes({ entries, stackDepth, style: "plain" });
        expect(Buffer.compare(bytes, writePickle(syntheticSnapshot(entries, 7, stackDepth)))).toBe(0);
      });
    }

  it("snapshotPickleBytes() follows the seed as syntheticSnapshot does", () => {
    expect(readPickle(snapshotPickleBytes({ entries: 300, seed: 11, stackDepth: 5, style: "python" }))).toEqual(syntheticSnapshot(300, 11, 5));
  });

  it("snapshotPickleBytes() in style python frames its protocol-4 body and shares keys and frames", () => {
    const bytes = snapshotPickleBytes({ entries: 2500, style: "python" });
    expect([bytes[0], bytes[1], bytes[2]]).toEqual([0x80, 4, 0x95]); // PROTO 4, then a FRAME
    const firstFrame = Number(new DataView(bytes.buffer, bytes.byteOffset + 3).getBigUint64(0, true));
    expect(firstFrame).toBeGreaterThanOrEqual(64 * 1024);
    expect(bytes[2 + 9 + firstFrame]).toBe(0x95); // the next frame starts where the first ends
    const text = Buffer.from(bytes).toString("latin1");
    expect(text.split("time_us").length - 1).toBe(1); // one shared key object
    expect(text.split("/site-packages/model/layer3.py").length - 1).toBe(1); // one dict per distinct frame
  });

  const python = hasPython();
  for (const entries of [...sizes, 30_000])
    for (const stackDepth of depths) {
      it.skipIf(!python)(`snapshotPickleBytes() in style python is CPython's pickle of the snapshot (${entries} entries, depth ${stackDepth})`, () => {
        const snapshot = syntheticSnapshot(entries, 7, stackDepth);
        const script = new URL("./snapshotPickleReference.py", import.meta.url).pathname;
        const cpython = execFileSync("python3", [script], { input: JSON.stringify(snapshot), maxBuffer: 1 << 30 });
        const bytes = snapshotPickleBytes({ entries, stackDepth, style: "python" });
        expect(bytes.length).toBe(cpython.length);
        expect(Buffer.compare(bytes, cpython)).toBe(0);
      });
    }

  it("snapshotPickleBytes() refuses a negative or fractional entry count and an unknown style", () => {
    expect(() => snapshotPickleBytes({ entries: -1 })).toThrow(/entries must be a whole number >= 0, got -1/);
    expect(() => snapshotPickleBytes({ entries: 1.5 })).toThrow(/entries/);
    expect(() => snapshotPickleBytes({ entries: 1, style: "pickle" as "plain" })).toThrow(/style must be "plain" or "python", got pickle/);
  });
});

describe("writeSnapshotPickleFile", () => {
  for (const style of styles)
    it(`writeSnapshotPickleFile() writes the bytes of snapshotPickleBytes() in style ${style} and returns their count`, () => {
      const dir = mkdtempSync(join(tmpdir(), "hbmscope-snapgen-"));
      try {
        const path = join(dir, "snapshot.pickle");
        // Over 4 MiB, so that the file is written in more than one chunk.
        const options = { entries: 40_000, stackDepth: 24, style };
        const n = writeSnapshotPickleFile(path, options);
        const file = readFileSync(path);
        const bytes = snapshotPickleBytes(options);
        expect(bytes.length).toBeGreaterThan(4 * 2 ** 20);
        expect(n).toBe(file.length);
        expect(Buffer.compare(file, bytes)).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
});

describe("syntheticHistory", () => {
  it("syntheticHistory() yields the entries of syntheticSnapshot and then its segments", () => {
    const h = syntheticHistory(500, 3, 4);
    expect(() => h.segments()).toThrow(/before the entries were all taken/);
    const entries = [...h.entries];
    const snap = syntheticSnapshot(500, 3, 4);
    expect(entries).toEqual(snap.device_traces[0]);
    expect(h.segments()).toEqual(snap.segments);
  });
});
