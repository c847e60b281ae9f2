// What a replay leaves for the JS driver besides the columns: the totals at its end (or at the OOM
// event) and the device allocation the failed alloc tried (PyTorch prints it), in bytes.

/** Reserved bytes at the end of the replay (or at its OOM event). */
export let reservedAtEnd: f64 = 0;
/** Allocated (rounded) bytes at the end of the replay (or at its OOM event). */
export let allocatedAtEnd: f64 = 0;
/** The device allocation the last failed alloc tried, bytes (0 if none failed). */
export let lastAttempt: f64 = 0;

export function setTotals(reserved: f64, allocated: f64): void {
  reservedAtEnd = reserved;
  allocatedAtEnd = allocated;
}

export function setLastAttempt(bytes: f64): void {
  lastAttempt = bytes;
}
