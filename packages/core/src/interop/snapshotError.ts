/**
 * A PyTorch memory snapshot (or a pickle inside it) that hbmscope cannot or will not read:
 * truncated, malformed, hostile (code-executing opcodes), or not a snapshot. `offset` is the byte
 * where a pickle went wrong (-1 when the problem is not at a byte, e.g. a missing field).
 * `option` names the caller's option that asked for what the file lacks (`"device"`), when the
 * file itself is fine: a CLI reports that as a usage error.
 */
export class SnapshotError extends Error {
  readonly offset: number;
  readonly option: string | undefined;
  constructor(message: string, offset = -1, option?: string) {
    super(message);
    this.name = "SnapshotError";
    this.offset = offset;
    this.option = option;
  }
}
