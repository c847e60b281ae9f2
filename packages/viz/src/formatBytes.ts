import { format } from "d3-format";
import { tickStep } from "d3-array";

const BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
const DECIMAL = ["B", "kB", "MB", "GB", "TB", "PB"];
const sig3 = format(".3~r");

/** Which units axis ticks use: `2` binary (KiB = 1024 B), `10` decimal (kB = 1000 B). */
export type ByteBase = 2 | 10;

function unitOf(bytes: number, base: ByteBase): number {
  const k = base === 2 ? 1024 : 1000;
  let e = 0;
  while (e < BINARY.length - 1 && Math.abs(bytes) >= k ** (e + 1)) e++;
  return e;
}

/**
 * About `count` round ticks from 0 to at least `max` bytes, in one unit (`0, 256 MiB, 512 MiB`):
 * the step is a 1, 2 or 5 multiple of a power of ten of the unit that suits `max`.
 * @defaultValue count 5, base 2
 */
export function byteTicks(max: number, count = 5, base: ByteBase = 2): { value: number; label: string }[] {
  if (!(max > 0)) return [{ value: 0, label: "0 B" }];
  const k = base === 2 ? 1024 : 1000;
  const e = unitOf(max, base);
  const unit = k ** e;
  const step = Math.max(tickStep(0, max / unit, count), e === 0 ? 1 : 0) * unit;
  const names = base === 2 ? BINARY : DECIMAL;
  const out: { value: number; label: string }[] = [];
  for (let i = 0; i * step <= max * (1 + 1e-9); i++) {
    const v = i * step;
    out.push({ value: v, label: v === 0 ? "0" : `${sig3(v / unit)} ${names[e]}` });
  }
  return out;
}
