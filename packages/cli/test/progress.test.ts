import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { main } from "../src/index.js";
import { planProgress, readProgress } from "../src/progress.js";
import { fileSource } from "../src/fileSource.js";

const io = (tty: boolean) => {
  const err: string[] = [];
  return { err, io: { stdout: () => {}, stderr: (t: string) => void err.push(t), cwd: ".", stderrIsTTY: tty } };
};

it("readProgress() prints nothing when stderr is not a terminal", () => {
  expect(readProgress(io(false).io, "x")).toBeUndefined();
});

it("readProgress() redraws one line on a terminal and ends each pass with a newline", () => {
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-progress-"));
  const file = join(dir, "f.bin");
  writeFileSync(file, new Uint8Array(10 * 1024));
  const t = io(true);
  const source = fileSource(file, 1024, readProgress(t.io, "f.bin", 0));
  for (let pass = 0; pass < 2; pass++) for (const _ of source());
  expect(t.err.filter((l) => l.endsWith("\n"))).toEqual(["\rreading f.bin, pass 1: 100% of 10.00 KiB\n", "\rreading f.bin, pass 2: 100% of 10.00 KiB\n"]);
  expect(t.err[0]).toBe("\rreading f.bin, pass 1: 10% of 10.00 KiB");
});

it("planProgress() prints nothing when stderr is not a terminal, nor for a plan made before its first redraw", () => {
  expect(planProgress(io(false).io)).toBeUndefined();
  const t = io(true);
  const p = planProgress(t.io, 60_000)!;
  p(0, 0);
  expect(t.err).toEqual([]);
});

it("planProgress() redraws one line while the arena is planned and ends it with a newline", () => {
  const t = io(true);
  const p = planProgress(t.io, 0)!;
  p(16_384, 500_825);
  p(500_825, 500_825);
  expect(t.err).toEqual(["\rplanning the arena: 3% of 500,825 buffers placed", "\rplanning the arena: 100% of 500,825 buffers placed\n"]);
});

it("main() lets a progress line's carriage return reach the terminal, and escapes everything else", async () => {
  const fixtures = fileURLToPath(new URL("../../core/test/fixtures/", import.meta.url));
  let err = "";
  const code = await main(["inspect", join(fixtures, "snapshot-fresh.pickle"), "--json"], { stdout: () => {}, stderr: (t) => void (err += t), cwd: ".", stderrIsTTY: true });
  expect(code).toBe(0);
  expect(err).toMatch(/^\rreading .*snapshot-fresh\.pickle, pass 1: 100% of [\d.]+ KiB\n/);
  expect(err).not.toContain("\\u000d");
});
