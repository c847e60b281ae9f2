import { defineConfig } from "vitest/config";

const packages = ["core", "model", "tfjs", "viz", "report", "cli"];

export default defineConfig({
  test: {
    // One temporary folder per run, removed at its end (scripts/vitestTmpdir.ts).
    globalSetup: ["./scripts/vitestTmpdir.ts"],
    projects: [
      ...packages.map((name) => ({
        resolve: { conditions: ["source"] },
        ssr: { resolve: { conditions: ["source"] } },
        test: {
          name,
          root: `packages/${name}`,
          include: ["test/**/*.test.ts"],
          testTimeout: 60_000,
        },
      })),
      // Tests of the benchmarks' own fixtures (e.g. the streamed snapshot pickle writer).
      {
        resolve: { conditions: ["source"] },
        ssr: { resolve: { conditions: ["source"] } },
        test: { name: "bench", root: "bench", include: ["**/*.test.ts"], testTimeout: 60_000 },
      },
    ],
  },
});
