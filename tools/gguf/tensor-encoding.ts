import { Q8_0_BLOCK_BYTES, Q8_0_BLOCK_SIZE, type GgmlType } from "./gguf-writer.js";

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/** The IEEE half-precision bits nearest to a number (round to nearest even; overflow gives infinity). */
export function float16Bits(value: number): number {
  float32[0] = value;
  const bits = float32Bits[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff - 127 + 15) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    let half = mantissa >>> shift;
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/**
 * Quantizes floats to Q8_0 as ggml does: per block of 32, scale = max |x| / 127 (stored as fp16),
 * values = round(x / scale) as int8. Exact halves round up rather than away from zero: branch-free
 * rounding is several times faster here, and only ties differ.
 */
export function encodeQ8_0(values: Float32Array, scratch?: Uint8Array): Uint8Array {
  if (values.length % Q8_0_BLOCK_SIZE !== 0) throw new Error(`Q8_0 needs a multiple of ${Q8_0_BLOCK_SIZE} values, not ${values.length}`);
  const blocks = values.length / Q8_0_BLOCK_SIZE;
  const out = outputBuffer(blocks * Q8_0_BLOCK_BYTES, scratch);
  const quants = new Int8Array(out.buffer, out.byteOffset, out.byteLength);
  for (let block = 0; block < blocks; block++) {
    const from = block * Q8_0_BLOCK_SIZE;
    let max = 0;
    for (let i = from; i < from + Q8_0_BLOCK_SIZE; i++) max = Math.max(max, Math.abs(values[i]!));
    const scale = max / 127;
    const inverse = scale === 0 ? 0 : 1 / scale;
    const at = block * Q8_0_BLOCK_BYTES;
    const half = float16Bits(scale);
    out[at] = half & 0xff;
    out[at + 1] = half >>> 8;
    // (q + 128.5) | 0 is floor(q + 0.5) + 128 for q in [-127, 127].
    for (let i = 0; i < Q8_0_BLOCK_SIZE; i++) quants[at + 2 + i] = ((values[from + i]! * inverse + 128.5) | 0) - 128;
  }
  return out;
}

/**
 * Encodes floats as a tensor of the given type stores them. The result may be a view of `values` (F32)
 * or of `scratch` (Q8_0, when it is big enough): reusing one scratch buffer saves allocating fresh memory for
 * every chunk, which costs as much as the encoding itself.
 */
export function encodeTensorData(type: GgmlType, values: Float32Array, scratch?: Uint8Array): Uint8Array {
  switch (type) {
    case "F32":
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    case "Q8_0":
      return encodeQ8_0(values, scratch);
  }
}

function outputBuffer(bytes: number, scratch: Uint8Array | undefined): Uint8Array {
  return scratch !== undefined && scratch.byteLength >= bytes ? scratch.subarray(0, bytes) : new Uint8Array(bytes);
}
