/**
 * Bytes for people, the one formatter of hbmscope (CLI text, chart labels, error messages): as
 * PyTorch's allocator prints sizes in its out-of-memory message (`format_size` in
 * c10/cuda/CUDACachingAllocator.cpp), so a replayed OOM reads like the real one: `1000 bytes` up
 * to 1024, then KiB, MiB, GiB with two decimals (`2.00 MiB`, `22.49 GiB`), binary units throughout.
 * Non-finite values are printed as they are (`Infinity bytes`); negative ones keep their sign.
 */
export function formatBytes(bytes: number): string {
  const a = Math.abs(bytes);
  if (!Number.isFinite(a) || a <= 1024) return `${bytes} bytes`;
  if (a <= 1048576) return `${(bytes / 1024).toFixed(2)} KiB`;
  if (a <= 1073741824) return `${(bytes / 1048576).toFixed(2)} MiB`;
  return `${(bytes / 1073741824).toFixed(2)} GiB`;
}
