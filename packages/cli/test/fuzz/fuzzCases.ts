import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serializeTrace, writePickle } from "@hbmscope/core";
import { program } from "../../src/index.js";

/** One CLI run of the fuzz suite: its arguments, the files it reads (which must not change). */
export interface FuzzCase {
  name: string;
  argv: string[];
  inputs: string[];
}

/** A small deterministic generator (mulberry32), so a failing case can be named and rerun. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ESC = "\u001b]0;pwned\u0007\u001b[2J";
/** Values a hostile user or file puts where a number or a name goes. */
export const HOSTILE_VALUES = [
  "", "-1", "0", "1", "1.5", "1e9", "1e309", "-1e309", "NaN", "Infinity", "0x10", "9007199254740993", "18446744073709551616",
  "2e-320", "24GB", "-0", " 7 ", "1,,2", ",", "abc", ESC, "a".repeat(5000), "--json", "-", "\u0000", "é",
];

/** Hostile numbers inside files. */
const HOSTILE_NUMBERS: unknown[] = [-1, 0, 1.5, 2 ** 53, 2 ** 64, 1e308, -1e308, "12", null, true, [], {}, ESC];

function smallTrace() {
  return {
    format: "hbmscope.trace",
    version: 1,
    meta: { source: "fuzz" },
    buffers: [
      { id: 0, bytes: 4096, category: "weight", op: "MatMul", scope: "forward/layer0", phase: "forward", dtype: "float32", shape: [32, 32] },
      { id: 1, bytes: 1024, category: "activation", op: "Relu", phase: "forward" },
      { id: 2, bytes: 512, category: "temporary", op: "Add", phase: "backward", kernelTemp: true },
    ],
    events: [
      { kind: "alloc", buffer: 0, time: 0 },
      { kind: "alloc", buffer: 1, time: 1 },
      { kind: "alloc", buffer: 2, time: 2 },
      { kind: "free", buffer: 2, time: 3 },
      { kind: "free", buffer: 1, time: 4 },
    ],
    marks: [{ at: 0, label: "forward" }],
  };
}

function smallSnapshot() {
  const MiB = 2 ** 20;
  const frames = [{ filename: "train.py", line: 12, name: "forward" }, { filename: "model.py", line: 3, name: "attn" }];
  return {
    segments: [{ device: 0, address: 0x7f0000000000, total_size: 20 * MiB, stream: 0, segment_type: "large", blocks: [{ address: 0x7f0000000000, size: 20 * MiB, requested_size: 0, state: "inactive" }] }],
    device_traces: [[
      { action: "segment_alloc", addr: 0x7f0000000000, size: 20 * MiB, stream: 0, time_us: 1000 },
      { action: "alloc", addr: 0x7f0000000000, size: 5 * MiB, stream: 0, time_us: 1000, frames },
      { action: "free_requested", addr: 0x7f0000000000, size: 5 * MiB, stream: 0, time_us: 3000, frames },
      { action: "free_completed", addr: 0x7f0000000000, size: 5 * MiB, stream: 0, time_us: 3000, frames },
    ]],
    allocator_settings: { max_split_size: -1, expandable_segments: false },
  };
}

function smallConfig() {
  return { architectures: ["LlamaForCausalLM"], model_type: "llama", vocab_size: 1000, hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 4, num_hidden_layers: 2, max_position_embeddings: 256, rms_norm_eps: 1e-6, tie_word_embeddings: false };
}

/** `value` with the field at `path` set to `v` (a copy). */
function setAt(value: unknown, path: (string | number)[], v: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = v;
  return copy;
}

function deepArray(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

/** A pickle of one list nested `depth` deep (EMPTY_LIST, then APPEND each into the one below). */
function deepPickle(depth: number): Uint8Array {
  const out = new Uint8Array(3 + depth + depth + 1);
  out[0] = 0x80;
  out[1] = 2;
  let p = 2;
  for (let i = 0; i < depth; i++) out[p++] = 0x5d; // EMPTY_LIST
  for (let i = 1; i < depth; i++) out[p++] = 0x61; // APPEND
  out[p++] = 0x2e; // STOP
  return out.subarray(0, p);
}

/**
 * Writes the hostile input files under `dir` and returns the runs that read them, plus the runs
 * that give each command's flags hostile values. Deterministic for a `seed`; `scale` (0-1] keeps a
 * fraction of the random mutations and flag values (truncations at every byte are always all there).
 */
export async function fuzzCases(dir: string, seed = 1, scale = 1): Promise<FuzzCase[]> {
  mkdirSync(dir, { recursive: true });
  const rnd = random(seed);
  const cases: FuzzCase[] = [];
  let n = 0;
  const file = (ext: string, content: string | Uint8Array) => {
    const path = join(dir, `in${n++}${ext}`);
    writeFileSync(path, content);
    return path;
  };
  const traceCommands = (path: string, label: string) => {
    const out = join(dir, `out${n}`);
    return [
      { name: `inspect ${label}`, argv: ["inspect", path], inputs: [path] },
      { name: `replay ${label}`, argv: ["replay", path, "--capacity", "64MiB", "--json"], inputs: [path] },
      { name: `render ${label}`, argv: ["render", path, "-o", `${out}.svg`], inputs: [path] },
      { name: `export ${label}`, argv: ["export", path, "--format", "torch-snapshot", "-o", `${out}.pickle`], inputs: [path] },
    ];
  };
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)];
  const some = (k: number) => Math.max(1, Math.round(k * scale));

  // Trace JSON: truncated at every byte, bytes flipped, hostile field values, deep nesting.
  const traceText = serializeTrace(smallTrace() as never);
  for (let cut = 0; cut < traceText.length; cut++) {
    const path = file(".json", traceText.slice(0, cut));
    cases.push({ name: `inspect trace cut at ${cut}`, argv: ["inspect", path, "--json"], inputs: [path] });
  }
  for (let k = 0; k < some(60); k++) {
    const bytes = new TextEncoder().encode(traceText);
    for (let j = 0; j < 1 + Math.floor(rnd() * 4); j++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
    cases.push(...traceCommands(file(".json", bytes), `trace with flipped bytes #${k}`).slice(0, 2));
  }
  const traceFields: (string | number)[][] = [["buffers", 0, "bytes"], ["buffers", 1, "id"], ["events", 0, "buffer"], ["events", 1, "time"], ["buffers", 0, "op"], ["buffers", 0, "shape"], ["marks", 0, "at"], ["version"], ["buffers", 0, "category"], ["events"], ["meta"], ["events", 2, "kind"]];
  for (const path of traceFields) {
    for (const v of HOSTILE_NUMBERS) cases.push(...traceCommands(file(".json", JSON.stringify(setAt(smallTrace(), path, v))), `trace ${path.join(".")}=${JSON.stringify(v)}`));
  }
  cases.push(...traceCommands(file(".json", deepArray(100_000)), "trace nested 100000 deep"));
  cases.push(...traceCommands(file(".json", `{"format":"hbmscope.trace","version":1,"buffers":${deepArray(50_000)},"events":[]}`), "trace buffers nested 50000 deep"));

  // Snapshots as pickles and JSON: truncated at every byte, flipped bytes, hostile fields, shared and deep references.
  const snapPickle = writePickle(smallSnapshot());
  for (let cut = 0; cut < snapPickle.length; cut++) {
    const path = file(".pickle", snapPickle.subarray(0, cut));
    cases.push({ name: `import pickle cut at ${cut}`, argv: ["import", path, "-o", join(dir, `imp${n}.json`)], inputs: [path] });
  }
  const snapJson = JSON.stringify(smallSnapshot());
  for (let cut = 0; cut < snapJson.length; cut++) {
    const path = file(".json", snapJson.slice(0, cut));
    cases.push({ name: `inspect snapshot JSON cut at ${cut}`, argv: ["inspect", path], inputs: [path] });
  }
  for (let k = 0; k < some(60); k++) {
    const bytes = snapPickle.slice();
    for (let j = 0; j < 1 + Math.floor(rnd() * 4); j++) bytes[2 + Math.floor(rnd() * (bytes.length - 2))] = Math.floor(rnd() * 256);
    const path = file(".pickle", bytes);
    cases.push({ name: `import pickle with flipped bytes #${k}`, argv: ["import", path, "-o", join(dir, `imp${n}.json`), "--json"], inputs: [path] });
  }
  const snapFields: (string | number)[][] = [["device_traces", 0, 1, "size"], ["device_traces", 0, 1, "addr"], ["device_traces", 0, 1, "action"], ["device_traces", 0, 1, "time_us"], ["device_traces", 0, 1, "frames"], ["segments", 0, "total_size"], ["segments", 0, "address"], ["segments", 0, "blocks"], ["segments", 0, "device"], ["allocator_settings", "max_split_size"], ["allocator_settings", "roundup_power2_divisions"], ["device_traces"], ["segments"]];
  for (const path of snapFields) {
    for (const v of [...HOSTILE_NUMBERS, 2n ** 70n, -(2n ** 70n)]) {
      const snap = setAt(smallSnapshot(), path, v === 2n ** 70n || v === -(2n ** 70n) ? 0 : v);
      if (typeof v === "bigint") setPath(snap, path, v);
      const p = file(".pickle", writePickle(snap));
      cases.push(...traceCommands(p, `snapshot ${path.join(".")}=${String(v)}`).slice(0, 2));
      cases.push({ name: `import snapshot ${path.join(".")}=${String(v)}`, argv: ["import", p, "-o", join(dir, `imp${n}.json`), "--strict"], inputs: [p] });
    }
  }
  // Shared references: every entry points at one frame list, every segment at one blocks list.
  const frames = Array.from({ length: 2000 }, (_, i) => ({ filename: `${ESC}f.py`, line: i, name: `f${i}${ESC}` }));
  const shared = { segments: [], device_traces: [Array.from({ length: 2000 }, (_, i) => ({ action: "alloc", addr: i * 512, size: 512, frames }))] };
  const sharedPath = file(".pickle", writePickle(shared, { shareRepeated: true }));
  cases.push(...traceCommands(sharedPath, "snapshot whose entries share one 2000-frame list"));
  const blocks = [{ size: 512, state: "active_allocated" }];
  const sharedBlocks = { segments: Array.from({ length: 1000 }, (_, i) => ({ address: i * 4096, total_size: 512, blocks })), device_traces: [[]] };
  cases.push(...traceCommands(file(".pickle", writePickle(sharedBlocks, { shareRepeated: true })), "snapshot whose segments share one blocks list"));
  cases.push(...traceCommands(file(".pickle", deepPickle(200_000)), "pickle nested 200000 deep"));
  cases.push(...traceCommands(file(".pickle", new Uint8Array([0x80, 2, ...new TextEncoder().encode("cos\nsystem\n"), 0x4e, 0x85, 0x52, 0x2e])), "pickle that calls os.system"));

  // Hugging Face config.json through --model.
  const configFields = ["vocab_size", "hidden_size", "intermediate_size", "num_attention_heads", "num_key_value_heads", "num_hidden_layers", "max_position_embeddings", "tie_word_embeddings", "model_type", "head_dim"];
  for (const key of configFields) {
    for (const v of HOSTILE_NUMBERS) {
      const path = file(".json", JSON.stringify({ ...smallConfig(), [key]: v }));
      cases.push({ name: `estimate config ${key}=${JSON.stringify(v)}`, argv: ["estimate", "--model", path, "--seq", "64", "--json"], inputs: [path] });
      if (rnd() < 0.5 * scale + 0.01) cases.push({ name: `simulate config ${key}=${JSON.stringify(v)}`, argv: ["simulate", "--model", path, "--seq", "64", "--json"], inputs: [path] });
    }
  }
  const configText = JSON.stringify(smallConfig());
  for (let cut = 0; cut < configText.length; cut++) {
    const path = file(".json", configText.slice(0, cut));
    cases.push({ name: `estimate config cut at ${cut}`, argv: ["estimate", "--model", path, "--json"], inputs: [path] });
  }
  const deepConfig = file(".json", deepArray(100_000));
  cases.push({ name: "estimate config nested 100000 deep", argv: ["estimate", "--model", deepConfig], inputs: [deepConfig] });

  // Every command's flags, each given hostile values in an otherwise small valid run.
  const trace = file(".json", traceText);
  const base: Record<string, string[]> = {
    inspect: ["inspect", trace],
    estimate: ["estimate", "--model", "gpt2-small", "--seq", "128"],
    simulate: ["simulate", "--model", "gpt2-small", "--seq", "64"],
    replay: ["replay", trace],
    render: ["render", trace, "-o", join(dir, "flags.svg")],
    import: ["import", sharedPath, "-o", join(dir, "flags.json")],
    export: ["export", trace, "--format", "perfetto", "-o", join(dir, "flags.perfetto.json")],
    profile: ["profile", "--backend", "cpu", "--vocab", "16", "--hidden", "8", "--heads", "2", "--layers", "1", "--seq", "8", "--batch", "1"],
    "compare-attention": ["compare-attention", "--backend", "cpu", "--vocab", "16", "--hidden", "8", "--heads", "2", "--layers", "1", "--seq", "8", "--batch", "1"],
  };
  const root = await program({ stdout: () => {}, stderr: () => {}, cwd: dir });
  for (const cmd of root.commands) {
    const start = base[cmd.name()];
    if (!start) continue;
    const steps = cmd.name() === "profile" || cmd.name() === "compare-attention";
    for (const opt of cmd.options) {
      if (!opt.long || opt.long === "--help" || !opt.required) continue;
      for (const value of HOSTILE_VALUES) {
        // A value the flag accepts would run a real tfjs step: the step commands get only the refused ones.
        if (steps && accepts(opt as never, value)) continue;
        if (!steps && rnd() > scale && value !== ESC) continue;
        cases.push({ name: `${cmd.name()} ${opt.long} ${JSON.stringify(value.slice(0, 20))}`, argv: [...start, opt.long, value], inputs: [trace, sharedPath] });
      }
    }
    cases.push({ name: `${cmd.name()} unknown flag`, argv: [...start, "--no-such-flag"], inputs: [trace] });
  }
  // Outputs that cannot be written, or would replace an input.
  cases.push({ name: "import over its input", argv: ["import", sharedPath, "-o", sharedPath], inputs: [sharedPath] });
  cases.push({ name: "render over its input", argv: ["render", trace, "-o", trace], inputs: [trace] });
  cases.push({ name: "render under /proc", argv: ["render", trace, "-o", "/proc/hbmscope-fuzz/x/y.svg"], inputs: [trace] });
  cases.push({ name: "render through a file", argv: ["render", trace, "-o", `${trace}/x.svg`], inputs: [trace] });
  void pick;
  return cases;
}

function setPath(value: unknown, path: (string | number)[], v: unknown) {
  let o = value as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = v;
}

/** Whether commander's parser of `opt` takes `value` (choices and argument parsers). */
function accepts(opt: { argChoices?: string[]; parseArg?: (v: string, prev: unknown) => unknown }, value: string): boolean {
  if (opt.argChoices) return opt.argChoices.includes(value);
  if (!opt.parseArg) return true;
  try {
    opt.parseArg(value, undefined);
    return true;
  } catch {
    return false;
  }
}
