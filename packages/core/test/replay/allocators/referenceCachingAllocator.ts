/**
 * A deliberately simple caching allocator for model-based tests: plain objects, linear scans,
 * PyTorch's default rules written out as directly as possible (no maxSplitSize, no divisions).
 */
interface Block {
  address: number;
  size: number;
  buffer: number; // -1 when free
}
interface Segment {
  address: number;
  size: number;
  small: boolean;
  blocks: Block[]; // in address order, covering the segment
  released: boolean;
}

export class ReferenceCachingAllocator {
  segments: Segment[] = [];
  reserved = 0;
  allocated = 0;
  private nextAddress = 0;
  address = new Map<number, number>();
  blockBytes = new Map<number, number>();
  constructor(private capacity = Infinity) {}

  alloc(buffer: number, bytes: number): boolean {
    if (bytes === 0) return true;
    const size = bytes < 512 ? 512 : Math.ceil(bytes / 512) * 512;
    const small = size <= 1024 * 1024;
    let found = this.bestFit(size, small);
    if (!found) {
      const segSize = small ? 2 * 2 ** 20 : size < 10 * 2 ** 20 ? 20 * 2 ** 20 : Math.ceil(size / (2 * 2 ** 20)) * 2 * 2 ** 20;
      if (this.reserved + segSize > this.capacity) {
        this.emptyCache();
        if (this.reserved + segSize > this.capacity) return false;
      }
      const seg: Segment = { address: this.nextAddress, size: segSize, small, blocks: [], released: false };
      seg.blocks.push({ address: seg.address, size: segSize, buffer: -1 });
      this.nextAddress += segSize;
      this.reserved += segSize;
      this.segments.push(seg);
      found = { seg, index: 0 };
    }
    const block = found.seg.blocks[found.index];
    const rest = block.size - size;
    const split = small ? rest >= 512 : rest > 1024 * 1024;
    if (split) {
      found.seg.blocks.splice(found.index + 1, 0, { address: block.address + size, size: rest, buffer: -1 });
      block.size = size;
    }
    block.buffer = buffer;
    this.allocated += block.size;
    this.address.set(buffer, block.address);
    this.blockBytes.set(buffer, block.size);
    return true;
  }

  free(buffer: number) {
    for (const seg of this.segments) {
      const block = seg.blocks.find((b) => b.buffer === buffer);
      if (!block) continue;
      block.buffer = -1;
      this.allocated -= block.size;
      const merged: Block[] = [];
      for (const b of seg.blocks) {
        const last = merged[merged.length - 1];
        if (last && last.buffer < 0 && b.buffer < 0) last.size += b.size;
        else merged.push({ ...b });
      }
      seg.blocks = merged;
    }
  }

  emptyCache() {
    for (const seg of this.segments) {
      if (!seg.released && seg.blocks.length === 1 && seg.blocks[0].buffer < 0) {
        seg.released = true;
        this.reserved -= seg.size;
      }
    }
  }

  private bestFit(size: number, small: boolean): { seg: Segment; index: number } | null {
    let best: { seg: Segment; index: number } | null = null;
    for (const seg of this.segments) {
      if (seg.released || seg.small !== small) continue;
      seg.blocks.forEach((b, index) => {
        if (b.buffer >= 0 || b.size < size) return;
        const cur = best && best.seg.blocks[best.index];
        if (!cur || b.size < cur.size || (b.size === cur.size && b.address < cur.address)) best = { seg, index };
      });
    }
    return best;
  }
}
