import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import { gpu, gpuCatalogue, gpuTiers, overhead, overheadDefaults, usableBytes } from "../src/index.js";

const MiB = 2 ** 20;

describe("gpus", () => {
  it("gpu() finds named cards by nvidia-smi's total, regardless of case and separators", () => {
    expect(gpu("RTX 4090").bytes).toBe(24564 * MiB);
    expect(gpu("a100-80gb").bytes).toBe(81920 * MiB);
    expect(gpu("H100 80GB").bytes).toBe(81559 * MiB);
    expect(gpu("a100 40gb").bytes).toBe(40960 * MiB);
    expect(gpu("h200").bytes).toBe(143771 * MiB);
    expect(gpu("T4").bytes).toBe(15360 * MiB);
  });

  it("gpu() takes a unique part of a name (h100, 4090) and refuses an ambiguous one with the choices", () => {
    expect(gpu("h100").name).toBe("H100 80GB");
    expect(gpu("4090").name).toBe("RTX 4090");
    expect(gpu("A10").name).toBe("A10");
    expect(() => gpu("A100")).toThrow('gpu: "A100" names several cards; choose one of A100 40GB, A100 80GB');
    expect(() => gpu("rtx")).toThrow(/choose one of RTX 4090, RTX 3090/);
  });

  it("gpu() reads a tier name (24GB, 24G) as the smallest real card of that tier", () => {
    const t = gpu("24GB");
    expect(t).toBe(gpu("24G"));
    expect(t.bytes).toBe(23028 * MiB);
    expect(t.cards).toEqual(["A10", "A10G", "L4", "RTX 4090", "RTX 3090"]);
    expect(gpu("80GB").bytes).toBe(81559 * MiB);
  });

  it("gpu() reads other sizes with core's parseByteSize: GB = 1e9, GiB = 2^30", () => {
    expect(gpu("30GB")).toMatchObject({ name: "30GB", bytes: 30e9, source: "user" });
    expect(gpu("80GiB").bytes).toBe(80 * 2 ** 30);
    expect(gpu(16e9).bytes).toBe(16e9);
    expect(gpu("25769803776").bytes).toBe(25769803776);
  });

  it("gpu() of an unknown name lists the cards, the tiers and the size forms", () => {
    expect(() => gpu("V100")).toThrow(/unknown GPU "V100"; use a name \(T4, A10, A10G, L4, RTX 4090, RTX 3090, A100 40GB, L40S, A100 80GB, H100 80GB, H200\), a tier \(16GB, 24GB, 40GB, 48GB, 80GB, 141GB\) or a size/);
    expect(() => gpu(0)).toThrow(/more than 0 bytes/);
  });

  it("gpuTiers are 16, 24, 40, 48, 80 and 141 GB, each the smallest nvidia-smi total of its cards; every card cites its source", () => {
    expect(gpuTiers.map((g) => g.name)).toEqual(["16GB", "24GB", "40GB", "48GB", "80GB", "141GB"]);
    for (const t of gpuTiers) {
      const cards = gpuCatalogue.filter((g) => g.tierGB === t.tierGB);
      expect(t.bytes).toBe(Math.min(...cards.map((g) => g.bytes)));
    }
    for (const g of gpuCatalogue) {
      expect(g.source).toMatch(/^nvidia-smi memory.total \d+ MiB: .+/);
      expect(g.bytes % MiB).toBe(0);
    }
  });

  it("usableBytes() is the card minus the reserve (CUDA context + cuBLAS workspace), overridable", () => {
    const reserve = overheadDefaults.cudaContext + overheadDefaults.cublasWorkspace;
    expect(usableBytes("RTX 4090")).toBe(24564 * MiB - reserve);
    expect(usableBytes("RTX 4090", { cudaContext: 0, cublasWorkspace: 0 })).toBe(24564 * MiB);
    expect(usableBytes(1000)).toBe(0);
  });

  fcTest.prop([fc.constantFrom(...gpuCatalogue, ...gpuTiers), fc.nat({ max: 2 ** 31 }), fc.nat({ max: 2 ** 26 })])(
    "usableBytes() + the overhead is the card's memory whenever the card holds the reserve",
    (g, cudaContext, cublasWorkspace) => {
      const o = { cudaContext, cublasWorkspace };
      expect(usableBytes(g, o) + overhead(o).bytes).toBe(g.bytes);
    },
  );
});
