import { describe, expect, it } from "vitest";
import { gpu, gpuCatalogue, gpuTiers } from "../src/index.js";

describe("gpu", () => {
  it("gpu() finds named cards regardless of case and separators, in vendor GB", () => {
    expect(gpu("A100 40GB").bytes).toBe(40e9);
    expect(gpu("a100-80gb").bytes).toBe(80e9);
    expect(gpu("rtx4090").bytes).toBe(24e9);
    expect(gpu("h200").bytes).toBe(141e9);
    expect(gpu("T4").name).toBe("T4");
  });

  it("gpu() reads sizes with core's parseByteSize: GB = 1e9, GiB = 2^30", () => {
    expect(gpu("24GB")).toMatchObject({ name: "24GB", bytes: 24e9 });
    expect(gpu("80GiB").bytes).toBe(80 * 2 ** 30);
    expect(gpu(16e9).name).toBe("16GB");
  });

  it("gpu() of an unknown name lists the known cards", () => {
    expect(() => gpu("V100")).toThrow(/unknown GPU "V100"; use a name \(T4, L4, A10G, RTX 4090, A100 40GB, A100 80GB, H100, H200\) or a size/);
    expect(() => gpu(0)).toThrow(/more than 0 bytes/);
  });

  it("gpuTiers are 16, 24, 40, 48, 80 and 141 GB; every card cites its datasheet", () => {
    expect(gpuTiers.map((g) => g.bytes / 1e9)).toEqual([16, 24, 40, 48, 80, 141]);
    for (const g of gpuCatalogue) expect(g.source).toMatch(/datasheet|specifications|instances/);
  });
});
