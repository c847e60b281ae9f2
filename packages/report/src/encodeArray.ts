import { fromBase64, toBase64 } from "./base64.js";

/** The element types an encoded array may have, narrowest first. */
export type ArrayType = "u8" | "u16" | "u32" | "i32" | "f64";

/**
 * A numeric column as compact text: its elements as little-endian bytes of the narrowest type that
 * holds every value exactly, in base64. Plain JSON data.
 */
export interface EncodedArray {
  type: ArrayType;
  /** Number of elements. */
  length: number;
  /** The elements' bytes, little-endian, base64 (RFC 4648, padded). */
  data: string;
}

const CONSTRUCTORS = {
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  i32: Int32Array,
  f64: Float64Array,
} as const;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkEndianness(what: string) {
  if (!littleEndian) throw new Error(`${what}: this platform is big-endian; the report's arrays are little-endian, which every browser and Node platform in use is`);
}

/** The narrowest `ArrayType` holding every value exactly (integers by range; anything else f64). */
export function narrowestType(values: ArrayLike<number>): ArrayType {
  let min = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || Object.is(v, -0)) return "f64";
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  if (min >= 0) return max < 2 ** 8 ? "u8" : max < 2 ** 16 ? "u16" : max < 2 ** 32 ? "u32" : "f64";
  return min >= -(2 ** 31) && max < 2 ** 31 ? "i32" : "f64";
}

/**
 * Encodes numbers as an `EncodedArray` of `type` (default: the narrowest exact one, see
 * `narrowestType`). Throws when `type` cannot hold a value exactly.
 */
export function encodeArray(values: ArrayLike<number>, type: ArrayType = narrowestType(values)): EncodedArray {
  checkEndianness("encodeArray");
  const typed = new CONSTRUCTORS[type](values.length);
  for (let i = 0; i < values.length; i++) {
    typed[i] = values[i];
    if (!Object.is(typed[i], values[i]) && !(Number.isNaN(typed[i]) && Number.isNaN(values[i]))) {
      throw new Error(`encodeArray: element ${i} (${values[i]}) does not fit in ${type}; accepted types for it: ${narrowestType([values[i]])} or wider`);
    }
  }
  return { type, length: values.length, data: toBase64(new Uint8Array(typed.buffer)) };
}

/** The typed array an `EncodedArray` holds (a `Uint8Array`, ..., `Float64Array` by its `type`). */
export function decodeArray(encoded: EncodedArray): Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array {
  checkEndianness("decodeArray");
  const make = CONSTRUCTORS[encoded.type];
  if (!make) throw new Error(`decodeArray: unknown type ${JSON.stringify(encoded.type)}; accepted: ${Object.keys(CONSTRUCTORS).join(", ")}`);
  const bytes = fromBase64(encoded.data);
  if (bytes.byteLength !== encoded.length * make.BYTES_PER_ELEMENT) {
    throw new Error(`decodeArray: ${bytes.byteLength} bytes of data for ${encoded.length} ${encoded.type} elements (expected ${encoded.length * make.BYTES_PER_ELEMENT})`);
  }
  // Copy into an aligned buffer (base64 decoding may hand back an offset view).
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return new make(aligned.buffer);
}
