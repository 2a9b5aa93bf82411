import { seeded } from "../seeded-random.js";
import type { GgmlType, GgufTensor } from "./gguf-writer.js";
import { encodeTensorData } from "./tensor-encoding.js";

/**
 * Fills one row (`dims[0]` values, zeroed beforehand) of a generated tensor. `random` gives numbers in
 * [0, 1) from the tensor's own seeded stream, consumed in row order.
 */
export type RowFill = (row: number, values: Float32Array, random: () => number) => void;

const CHUNK_VALUES = 1 << 18;

/**
 * A tensor whose rows are computed on demand, a chunk of rows at a time, and encoded to its type. The
 * random stream is seeded from `seed` and the tensor's name, so a tensor's bytes depend on neither the
 * order tensors are written in nor the other tensors.
 */
export function generatedTensor(name: string, type: GgmlType, dims: readonly number[], seed: number, fill: RowFill): GgufTensor {
  const rowLength = dims[0] ?? 0;
  const rows = dims.slice(1).reduce((product, dim) => product * dim, 1);
  return {
    name,
    type,
    dims,
    *data() {
      const random = seeded(tensorSeed(seed, name));
      const rowsPerChunk = Math.max(1, Math.floor(CHUNK_VALUES / rowLength));
      const buffer = new Float32Array(rowsPerChunk * rowLength);
      const scratch = new Uint8Array(buffer.byteLength);
      for (let first = 0; first < rows; first += rowsPerChunk) {
        const count = Math.min(rowsPerChunk, rows - first);
        const chunk = buffer.subarray(0, count * rowLength);
        chunk.fill(0);
        for (let row = 0; row < count; row++) fill(first + row, chunk.subarray(row * rowLength, (row + 1) * rowLength), random);
        yield encodeTensorData(type, chunk, scratch);
      }
    },
  };
}

/** A 32-bit seed from a model seed and a tensor name (FNV-1a, then a murmur3 finaliser to spread it). */
export function tensorSeed(seed: number, name: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/**
 * Fills `values[from..to)` with uniform noise of the given standard deviation, centred on 0. Each draw
 * of the generator gives two values of 16 bits each: plenty for weights stored in at most 8 bits of
 * precision (Q8_0) and twice as fast.
 */
export function uniformNoise(values: Float32Array, std: number, random: () => number, from = 0, to = values.length): void {
  const amplitude = 2 * std * Math.sqrt(3);
  const step = amplitude / 65536;
  const low = (step - amplitude) / 2;
  let i = from;
  for (; i + 1 < to; i += 2) {
    const bits = (random() * 4294967296) >>> 0;
    values[i] = (bits & 0xffff) * step + low;
    values[i + 1] = (bits >>> 16) * step + low;
  }
  if (i < to) values[i] = ((random() * 65536) | 0) * step + low;
}
