/**
 * Trace entries of a snapshot being read, kept as columns instead of dicts (a dict of six fields
 * costs about 150 bytes in V8; a row here costs 30). Rows live in blocks of 65,536, so that
 * growing never copies what is there (a doubling array would briefly hold three times its rows).
 * Only regular entries are kept here; anything unusual stays a dict, so the importer checks it
 * and reports it as before.
 */

const BLOCK_BITS = 16;
const BLOCK = 1 << BLOCK_BITS;

/** Action codes of the columns (0: none). */
export const ACTIONS = ["", "alloc", "free_requested", "free_completed", "segment_alloc", "segment_free", "segment_map", "segment_unmap", "snapshot"] as const;
const ACTION_CODE = new Map<string, number>(ACTIONS.map((a, i) => [a, i]));

interface Block {
  action: Uint8Array;
  category: Uint8Array;
  info: Int32Array;
  /** Index into the distinct streams (0: none). */
  stream: Uint8Array;
  addr: Float64Array;
  size: Float64Array;
  time: Float64Array;
}

const FIELDS = new Set(["action", "addr", "size", "stream", "time_us", "frames", "category"]);

export class SnapshotEntries {
  /**
   * @param dropOthers Whether a row may be kept for an entry with fields the importer does not
   * read (`compile_context`, `user_metadata`, ...), dropping them; when false, such an entry
   * stays a dict (for an `options.category` that reads them).
   */
  constructor(private readonly dropOthers = true) {}

  private readonly blocks: (Block | undefined)[] = [];
  private readonly categories = new Codes<string>();
  private readonly streams = new Codes<number>();
  /** Rows kept so far. */
  count = 0;

  /**
   * Keeps `d` as a row if it is a regular trace entry (known action, non-negative safe integer
   * `addr` and `size`, safe integer `stream`, finite `time_us`, string `category`, and `frames`,
   * or other fields when `dropOthers`) and returns its row; `info` is the index of its frames' summary (-1 for none).
   * Returns -1 and keeps nothing otherwise.
   */
  add(d: Record<string, unknown>, info: number): number {
    const action = typeof d.action === "string" ? ACTION_CODE.get(d.action) : undefined;
    if (action === undefined || action === 0) return -1;
    const { addr, size, stream, time_us: time, category } = d;
    if (!(typeof size === "number" && Number.isSafeInteger(size) && size >= 0)) return -1;
    if (addr !== undefined && !(typeof addr === "number" && Number.isSafeInteger(addr) && addr >= 0)) return -1;
    if (stream !== undefined && !(typeof stream === "number" && Number.isSafeInteger(stream))) return -1;
    if (time !== undefined && !(typeof time === "number" && Number.isFinite(time))) return -1;
    if (category !== undefined && typeof category !== "string") return -1;
    if (!this.dropOthers) for (const k in d) if (!FIELDS.has(k)) return -1;
    const code = category === undefined ? 0 : this.categories.code(category as string);
    const streamCode = stream === undefined ? 0 : this.streams.code(stream as number);
    if (code < 0 || streamCode < 0) return -1;
    const row = this.count++;
    const b = row >>> BLOCK_BITS;
    if (b === this.blocks.length) this.blocks.push(newBlock());
    const block = this.blocks[b]!;
    const i = row & (BLOCK - 1);
    block.action[i] = action;
    block.addr[i] = addr === undefined ? NaN : (addr as number);
    block.size[i] = size;
    block.stream[i] = streamCode;
    block.time[i] = time === undefined ? NaN : (time as number);
    block.info[i] = info;
    block.category[i] = code;
    return row;
  }

  /** The row as the dict it was read from (frames left out: see `info`). */
  entry(row: number): Record<string, unknown> {
    const block = this.block(row);
    const i = row & (BLOCK - 1);
    const e: Record<string, unknown> = { action: ACTIONS[block.action[i]], size: block.size[i] };
    if (!Number.isNaN(block.addr[i])) e.addr = block.addr[i];
    if (block.stream[i] > 0) e.stream = this.streams.value(block.stream[i]);
    if (!Number.isNaN(block.time[i])) e.time_us = block.time[i];
    if (block.category[i] > 0) e.category = this.categories.value(block.category[i]);
    return e;
  }

  /** The row's action. */
  action(row: number): string {
    return ACTIONS[this.block(row).action[row & (BLOCK - 1)]];
  }

  /** Whether the row has a `time_us`. */
  timed(row: number): boolean {
    return !Number.isNaN(this.block(row).time[row & (BLOCK - 1)]);
  }

  /** The index of the row's frames' summary, -1 for none. */
  info(row: number): number {
    return this.block(row).info[row & (BLOCK - 1)];
  }

  /**
   * Lets go of the blocks of rows before `row` (rows are read in order: an importer that is past
   * them frees their memory as it goes). Reading a released row throws.
   */
  releaseBefore(row: number): void {
    const end = row >= this.count ? this.blocks.length : Math.floor(row / BLOCK);
    for (let b = end - 1; b >= 0 && this.blocks[b] !== undefined; b--) this.blocks[b] = undefined;
  }

  private block(row: number): Block {
    const block = this.blocks[row >>> BLOCK_BITS];
    if (block === undefined) throw new RangeError(`SnapshotEntries: row ${row} was released or never kept`);
    return block;
  }

}

/** Codes 1..255 for the distinct values of a column that has few (0 stands for none). */
class Codes<T> {
  private readonly values: T[] = [];
  private readonly codes = new Map<T, number>();
  /** The value's code; -1 once 255 values have codes (a row with a 256th is not kept). */
  code(v: T): number {
    let c = this.codes.get(v);
    if (c === undefined) {
      if (this.values.length >= 255) return -1;
      this.values.push(v);
      this.codes.set(v, (c = this.values.length));
    }
    return c;
  }
  value(code: number): T {
    return this.values[code - 1];
  }
}

function newBlock(): Block {
  return {
    action: new Uint8Array(BLOCK),
    category: new Uint8Array(BLOCK),
    info: new Int32Array(BLOCK),
    addr: new Float64Array(BLOCK),
    size: new Float64Array(BLOCK),
    stream: new Uint8Array(BLOCK),
    time: new Float64Array(BLOCK),
  };
}
