/**
 * A PyTorch memory snapshot (or a pickle inside it) that hbmscope cannot or will not read:
 * truncated, malformed, hostile (code-executing opcodes), or not a snapshot. `offset` is the byte
 * where a pickle went wrong (-1 when the problem is not at a byte, e.g. a missing field).
 */
export class SnapshotError extends Error {
  readonly offset: number;
  constructor(message: string, offset = -1) {
    super(message);
    this.name = "SnapshotError";
    this.offset = offset;
  }
}
