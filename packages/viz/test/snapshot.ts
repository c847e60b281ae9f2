import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = new URL("./output/", import.meta.url).pathname;

/** Numbers rounded to 2 decimals, so float noise across platforms does not count as a change. */
export function normalizeSvg(svg: string): string {
  return svg.replace(/-?\d+\.\d+(e-?\d+)?/g, (m) => {
    const r = Math.round(Number(m) * 100) / 100;
    return Object.is(r, -0) ? "0" : String(r);
  });
}

/**
 * Observable Plot's snapshot check: compares `svg` with `test/output/<name>.svg` after rounding;
 * on a mismatch writes `<name>-changed.svg` beside it (to look at both) and throws. A missing
 * snapshot is written, except under CI, where it is an error.
 */
export function assertSvgSnapshot(name: string, svg: string): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.svg`);
  const changed = join(dir, `${name}-changed.svg`);
  if (!existsSync(file)) {
    if (process.env.CI) throw new Error(`snapshot ${name}.svg is missing: run the tests locally and commit test/output/${name}.svg`);
    writeFileSync(file, svg);
    return;
  }
  if (normalizeSvg(readFileSync(file, "utf8")) === normalizeSvg(svg)) {
    rmSync(changed, { force: true });
    return;
  }
  writeFileSync(changed, svg);
  throw new Error(`${name}.svg changed: compare test/output/${name}.svg with test/output/${name}-changed.svg (delete the old snapshot to accept the new one)`);
}
