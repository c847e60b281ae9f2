import { createHash } from "node:crypto";
import { traceBuilder } from "@hbmscope/core";
import { describe, expect, it } from "vitest";
import { reportHtml } from "../src/reportHtml.js";

function tiny(op = "MatMul") {
  const b = traceBuilder();
  b.free(b.alloc({ bytes: 1000, category: "activation", op }));
  return b.build();
}

describe("reportHtml", () => {
  it("reportHtml() allows only its own inline script, by its SHA-256, WebAssembly compilation (core's replay module), workers from blob: URLs (its own script), and no remote load", () => {
    const { html } = reportHtml(tiny());
    const csp = /content="(default-src 'none'; script-src 'sha256-([^']+)' 'wasm-unsafe-eval'; [^"]*)"/.exec(html)!;
    const scripts = [...html.matchAll(/<script( id="hbmscope-script")?>([\s\S]*?)<\/script>/g)].map((m) => m[2]);
    expect(scripts.length).toBe(1);
    expect(createHash("sha256").update(scripts[0]).digest("base64")).toBe(csp[2]);
    expect(csp[1].split("; ")).toEqual([`default-src 'none'`, `script-src 'sha256-${csp[2]}' 'wasm-unsafe-eval'`, "worker-src blob:", "style-src 'unsafe-inline'", "img-src data:", "base-uri 'none'", "form-action 'none'"]);
  });
  it("reportHtml() escapes names and ops: a buffer named </script> cannot end the data block", () => {
    const { html } = reportHtml(tiny("</script><script>alert(1)</script>"), { name: "<b>x</b>" });
    expect(html).not.toContain("</script><script>alert(1)");
    expect(html).not.toContain("<b>x</b>");
    expect(html).toContain("&#60;b&#62;x&#60;/b&#62;");
    expect(html.match(/<\/script>/g)!.length).toBe(2);
  });
  it("reportHtml() shows itself in a notebook as a sandboxed frame, with the summary as plain text", () => {
    const r = reportHtml(tiny(), { name: "tiny" });
    const bundle = r[Symbol.for("Jupyter.display") as never] as unknown as () => Record<string, string>;
    const shown = bundle();
    expect(shown["text/html"]).toMatch(/^<iframe sandbox="allow-scripts" [^>]*srcdoc="&#60;!doctype html&#62;/);
    expect(shown["text/plain"]).toContain("tiny: 2 events, 1 buffers");
  });
  it("reportHtml() refuses an unknown allocator, listing the accepted ones", () => {
    expect(() => reportHtml(tiny(), { allocator: "lru" })).toThrow('reportHtml: unknown allocator "lru"; accepted: ideal, caching, caching+expandable, bfc, planned');
  });
});
