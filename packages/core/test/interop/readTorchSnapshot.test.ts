import { describe, expect, it } from "vitest";
import { readTorchSnapshot } from "../../src/interop/readTorchSnapshot.js";

const chunks = (text: string) => () => [new TextEncoder().encode(text)];

/** A value nested `depth` objects deep: {"d": {"d": ... {"leaf": 1}}}. */
const nested = (depth: number): unknown => (depth === 0 ? { leaf: 1 } : { d: nested(depth - 1) });

describe("readTorchSnapshot", () => {
  it("readTorchSnapshot applies the dict hook to every object of a JSON entry, innermost first, last key first, at any depth", () => {
    for (const depth of [2, 500]) {
      const entry = { action: "alloc", addr: 0, size: 512, a: nested(depth), frames: [{ filename: "x.py", line: 1, name: "f" }, { filename: "y.py", line: 2, name: "g" }] };
      const seen: string[] = [];
      const snap = readTorchSnapshot(chunks(JSON.stringify({ segments: [], device_traces: [[entry]] })), {
        dict: (d) => {
          seen.push(Object.keys(d).join(","));
          return { ...d, hooked: true } as never;
        },
      });
      // Innermost first; the frames (the last key) before "a"'s objects, the second frame before the first.
      expect(seen.slice(0, 2)).toEqual(["filename,line,name", "filename,line,name"]);
      expect(seen[2]).toBe("leaf");
      expect(seen.length).toBe(2 + depth + 1 + 1);
      expect(seen.at(-1)).toBe("action,addr,size,a,frames");
      const got = snap.device_traces[0][0] as unknown as { hooked: boolean; a: { hooked: boolean }; frames: { hooked: boolean }[] };
      expect(got.hooked && got.a.hooked && got.frames[1].hooked).toBe(true);
    }
  });
});
