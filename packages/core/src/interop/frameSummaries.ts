import type { TorchFrame } from "./torchSnapshot.js";

/** What a stack of Python frames says about a buffer: `scope` (outermost first), `op`, `site`. */
export interface FrameSummary {
  scope: string;
  op: string;
  site: string;
}

/** nn.Module plumbing frames that say nothing about where memory goes (torch/nn/modules/module.py). */
const PLUMBING = new Set(["_call_impl", "_wrapped_call_impl", "__call__"]);

/** Most trie nodes kept (about 100 bytes each): real snapshots repeat few stacks. */
const MAX_TRIE_NODES = 1 << 20;

type Node = { next: Map<unknown, Node>; info: number };
/** A content trie's node: the next frame by file, then line, then function name. */
type ContentNode = { next: Map<string, Map<unknown, Map<string, ContentNode>>>; info: number };

/**
 * The summaries of an import's stacks, each distinct one kept once; entries refer to them by index.
 * Work stays linear in the input however a snapshot shares its lists: a list object seen before
 * (a pickle can reference one memoised list from every entry) gets its summary from one lookup,
 * never by reading its frames again. `framesRead` counts the frames read (what a check of that
 * promise counts). Internal to `importTorchSnapshot`.
 */
export class FrameSummaries {
  readonly list: FrameSummary[] = [];
  /** Frames read so far, over every call. */
  framesRead = 0;
  private readonly byKey = new Map<string, number>();
  private readonly byList = new WeakMap<object, number>();
  private readonly root: Node = { next: new Map(), info: -1 };
  private readonly contentRoot: ContentNode = { next: new Map(), info: -1 };
  private nodes = 0;

  /**
   * @param scopeDepth how many Python frames (outermost dropped first) make up a `scope`.
   * @param listsRepeat whether one list object may come back (a pickle's memo can hand the same
   *   list to every entry); JSON makes every list afresh, so remembering lists by identity would
   *   only cost time. @defaultValue true
   */
  constructor(
    private readonly scopeDepth: number,
    private readonly listsRepeat = true,
  ) {}

  /**
   * The index of the summary of `frames` (-1 for an empty list or not a list). A list equal to one
   * seen before (the same file, line and function frame by frame, as JSON gives each entry its own
   * copy) is found through a trie over frame contents: map lookups, no key text built.
   */
  of(frames: unknown): number {
    if (!Array.isArray(frames) || frames.length === 0) return -1;
    if (!this.listsRepeat) return this.ofContent(frames);
    const known = this.byList.get(frames);
    if (known !== undefined) return known;
    const k = this.ofContent(frames);
    this.byList.set(frames, k);
    return k;
  }

  private ofContent(frames: unknown[]): number {
    let node: ContentNode | undefined = this.contentRoot;
    for (let i = 0; i < frames.length && node !== undefined; i++) {
      const f = frames[i] as TorchFrame | null;
      // A frame that is not a well-formed object is summarised, never cached.
      if (f === null || typeof f !== "object" || typeof f.filename !== "string" || typeof f.name !== "string") {
        node = undefined;
        break;
      }
      let byLine = node.next.get(f.filename);
      if (byLine === undefined) node.next.set(f.filename, (byLine = new Map()));
      let byName = byLine.get(f.line);
      if (byName === undefined) byLine.set(f.line, (byName = new Map()));
      let next: ContentNode | undefined = byName.get(f.name);
      if (next === undefined && this.nodes < MAX_TRIE_NODES) {
        byName.set(f.name, (next = { next: new Map(), info: -1 }));
        this.nodes++;
      }
      node = next;
    }
    if (node === undefined) return this.add(frames as TorchFrame[]);
    if (node.info < 0) node.info = this.add(frames as TorchFrame[]);
    else this.framesRead += frames.length;
    return node.info;
  }

  /**
   * Like `of`, for lists whose frames are shared objects (one per distinct file, line and
   * function, as a pickle reader can make them): a distinct list equal to one seen before is
   * found through a trie over frame identities (one lookup per frame, no key text built).
   */
  ofShared(frames: unknown): number {
    if (!Array.isArray(frames) || frames.length === 0) return -1;
    const known = this.listsRepeat ? this.byList.get(frames) : undefined;
    if (known !== undefined) return known;
    let node: Node | undefined = this.root;
    for (let i = 0; i < frames.length && node !== undefined; i++) {
      let next: Node | undefined = node.next.get(frames[i]);
      if (next === undefined && this.nodes < MAX_TRIE_NODES) {
        node.next.set(frames[i], (next = { next: new Map(), info: -1 }));
        this.nodes++;
      }
      node = next;
    }
    this.framesRead += frames.length;
    // Past the budget (a file with countless distinct stacks), summaries are not cached by trie.
    const k = node === undefined ? this.add(frames as TorchFrame[]) : node.info >= 0 ? node.info : (node.info = this.add(frames as TorchFrame[]));
    if (this.listsRepeat) this.byList.set(frames, k);
    return k;
  }

  private add(frames: TorchFrame[]): number {
    this.framesRead += frames.length;
    const d = describeFrames(frames, this.scopeDepth);
    const key = `${d.scope}\n${d.op}\n${d.site}`;
    const hit = this.byKey.get(key);
    if (hit !== undefined) return hit;
    this.list.push(d);
    this.byKey.set(key, this.list.length - 1);
    return this.list.length - 1;
  }
}

function describeFrames(frames: TorchFrame[], depth: number): FrameSummary {
  const python: TorchFrame[] = [];
  for (const f of frames) {
    if (f === null || typeof f !== "object" || typeof f.filename !== "string" || typeof f.name !== "string") continue;
    if ((f.filename.endsWith(".py") || f.filename.startsWith("<")) && !PLUMBING.has(f.name)) python.push(f);
  }
  if (python.length === 0) {
    const inner = frames.find((f) => f && typeof f.name === "string");
    return { scope: "", op: inner ? inner.name : "", site: "" };
  }
  const names = python.slice(0, depth).map((f) => f.name).reverse();
  const inner = python[0];
  return { scope: names.join("/"), op: inner.name, site: `${inner.filename}:${inner.line}` };
}
