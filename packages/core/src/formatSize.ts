/**
 * Sizes as PyTorch's allocator prints them in its out-of-memory message (`format_size` in
 * c10/cuda/CUDACachingAllocator.cpp): bytes up to 1024, then KiB, MiB, GiB with two decimals.
 */
export function formatSize(bytes: number): string {
  if (bytes <= 1024) return `${bytes} bytes`;
  if (bytes <= 1048576) return `${(bytes / 1024).toFixed(2)} KiB`;
  if (bytes <= 1073741824) return `${(bytes / 1048576).toFixed(2)} MiB`;
  return `${(bytes / 1073741824).toFixed(2)} GiB`;
}
