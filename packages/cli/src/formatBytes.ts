import prettyBytes from "pretty-bytes";

/**
 * Bytes in binary units for people (`1.5 MiB`). pretty-bytes is used rather than hand-written
 * formatting: it is maintained, dependency-free, and does IEC units with `binary: true`.
 */
export function formatBytes(bytes: number): string {
  return prettyBytes(bytes, { binary: true, maximumFractionDigits: 2 });
}
