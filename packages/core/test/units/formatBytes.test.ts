import { expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { formatBytes } from "../../src/index.js";

it("formatBytes() prints sizes as PyTorch's OOM message does: bytes, then KiB, MiB, GiB with two decimals", () => {
  expect(formatBytes(1000)).toBe("1000 bytes");
  expect(formatBytes(1024)).toBe("1024 bytes");
  expect(formatBytes(1536)).toBe("1.50 KiB");
  expect(formatBytes(2 * 2 ** 20)).toBe("2.00 MiB");
  expect(formatBytes(23028 * 2 ** 20)).toBe("22.49 GiB");
  expect(formatBytes(-3 * 2 ** 30)).toBe("-3.00 GiB");
});

test.prop([fc.integer({ min: 1025, max: 2 ** 52 })])("formatBytes() reads back within half a unit of the last decimal", (n) => {
  const m = /^([\d.]+) (KiB|MiB|GiB)$/.exec(formatBytes(n))!;
  const unit = { KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 }[m[2] as "KiB"];
  expect(Math.abs(Number(m[1]) * unit - n)).toBeLessThanOrEqual(0.005 * unit + 1e-6 * n);
});
