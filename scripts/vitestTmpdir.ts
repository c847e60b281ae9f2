import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Vitest global setup: every test run gets one temporary folder, made the `TMPDIR` of the run (its
 * test workers and the CLI processes the tests start, which Node's `os.tmpdir()` reads), and removed
 * with everything in it when the run ends, so that no test leaves files behind in the machine's
 * temporary folder, whether or not it cleans up after itself.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), "hbmscope-tests-"));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
