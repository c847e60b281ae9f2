import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileReplayWasm, WASM_BYTES_MODULE, wasmBytesModule } from "../../../../../scripts/buildWasm.js";

describe("REPLAY_WASM_BASE64", () => {
  it("REPLAY_WASM_BASE64 holds the bytes packages/core/wasm compiles to today (run `pnpm build:wasm` after changing it)", async () => {
    const bytes = await compileReplayWasm();
    expect(readFileSync(WASM_BYTES_MODULE, "utf8")).toBe(wasmBytesModule(bytes));
  });
});
