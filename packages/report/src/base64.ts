/**
 * Bytes to base64 text and back, in Node (`Buffer`) and in a browser (`btoa` / `atob`), the two
 * places the report's data is written and read. Standard alphabet, with padding (RFC 4648 §4).
 */
export function toBase64(bytes: Uint8Array): string {
  const B = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (B) return B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  let text = "";
  // String.fromCharCode takes arguments: 32 KiB at a time stays under every engine's argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** The bytes of base64 text (see `toBase64`). Throws on characters outside the alphabet. */
export function fromBase64(text: string): Uint8Array {
  const B = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (B) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error("fromBase64: not base64 text (RFC 4648 alphabet, padded)");
    const buf = B.from(text, "base64");
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
