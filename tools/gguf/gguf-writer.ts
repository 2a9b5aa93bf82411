import { open, rename, rm, type FileHandle } from "node:fs/promises";

/** The ggml tensor types this writer knows: 32-bit floats and 8-bit blocks (an fp16 scale per 32 values). */
export type GgmlType = "F32" | "Q8_0";

/** Numeric GGUF value types (the file stores each with its own width). */
export type GgufNumberType = "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "uint64" | "int64" | "float32" | "float64";

/** One typed metadata value of a GGUF file. Arrays hold one item type (GGUF has no mixed arrays). */
export type GgufValue =
  | { readonly type: GgufNumberType; readonly value: number | bigint }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "array"; readonly itemType: GgufNumberType; readonly value: ArrayLike<number | bigint> }
  | { readonly type: "array"; readonly itemType: "bool"; readonly value: readonly boolean[] }
  | { readonly type: "array"; readonly itemType: "string"; readonly value: readonly string[] };

/** Shorthands for the metadata values a model file usually carries. */
export const ggufValue = {
  /** An unsigned 32-bit integer (counts, lengths, token ids). */
  uint32: (value: number): GgufValue => ({ type: "uint32", value }),
  /** A signed 32-bit integer. */
  int32: (value: number): GgufValue => ({ type: "int32", value }),
  /** A 32-bit float. */
  float32: (value: number): GgufValue => ({ type: "float32", value }),
  /** A boolean. */
  bool: (value: boolean): GgufValue => ({ type: "bool", value }),
  /** A UTF-8 string. */
  string: (value: string): GgufValue => ({ type: "string", value }),
  /** An array of UTF-8 strings. */
  strings: (value: readonly string[]): GgufValue => ({ type: "array", itemType: "string", value }),
  /** An array of signed 32-bit integers. */
  int32s: (value: ArrayLike<number>): GgufValue => ({ type: "array", itemType: "int32", value }),
  /** An array of 32-bit floats. */
  float32s: (value: ArrayLike<number>): GgufValue => ({ type: "array", itemType: "float32", value }),
};

/** A tensor to write: its header entry and a producer of its bytes. */
export interface GgufTensor {
  /** The tensor's name, e.g. `blk.0.attn_q.weight`. */
  readonly name: string;
  /** How each element is stored. */
  readonly type: GgmlType;
  /** The shape, fastest-varying first: `dims[0]` is the row length (a matrix's input size). */
  readonly dims: readonly number[];
  /**
   * Produces the tensor's bytes in file order, in chunks of any size. Called once, when the tensor's
   * turn comes, so only one chunk needs to be in memory at a time (a chunk's memory may be reused for
   * the next one: the writer is done with it by then). The chunks must add up to
   * {@link ggmlTensorBytes} exactly.
   */
  readonly data: () => Iterable<Uint8Array>;
}

/** What {@link writeGguf} writes. */
export interface GgufFile {
  /** Metadata key/values, written in this order. `general.alignment` is added unless present. */
  readonly metadata: Readonly<Record<string, GgufValue>>;
  /** Tensors, written in this order. */
  readonly tensors: readonly GgufTensor[];
  /** Alignment of the data section and of every tensor in it, a power of two. Defaults to 32. */
  readonly alignment?: number;
}

/** Bytes of one Q8_0 block: an fp16 scale then 32 signed bytes. */
export const Q8_0_BLOCK_BYTES = 34;
/** Elements in one Q8_0 block. */
export const Q8_0_BLOCK_SIZE = 32;

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const GGUF_VERSION = 3;
const TENSOR_TYPE_IDS: Record<GgmlType, number> = { F32: 0, Q8_0: 8 };
const VALUE_TYPE_IDS = {
  uint8: 0, int8: 1, uint16: 2, int16: 3, uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9, uint64: 10, int64: 11, float64: 12,
} as const;
const FLUSH_BYTES = 4 << 20;
let partialFiles = 0;

/** Bytes a tensor of this type and shape takes in the data section, before alignment padding. */
export function ggmlTensorBytes(type: GgmlType, dims: readonly number[]): number {
  const elements = dims.reduce((product, dim) => product * dim, 1);
  switch (type) {
    case "F32":
      return elements * 4;
    case "Q8_0":
      if ((dims[0] ?? 0) % Q8_0_BLOCK_SIZE !== 0) throw new Error(`Q8_0 rows must be a multiple of ${Q8_0_BLOCK_SIZE} long, not ${dims[0]}`);
      return (elements / Q8_0_BLOCK_SIZE) * Q8_0_BLOCK_BYTES;
  }
}

/**
 * Writes a GGUF v3 file: header, metadata, tensor infos, then each tensor's data padded to the
 * alignment. Tensor data is streamed (a model can be far larger than what should sit in memory); the
 * file appears at `path` only once complete (it is written next to it first, then renamed).
 * @returns the file's size in bytes.
 */
export async function writeGguf(path: string, file: GgufFile): Promise<number> {
  const alignment = file.alignment ?? 32;
  if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) throw new Error(`alignment must be a power of two, not ${alignment}`);
  const metadata: Record<string, GgufValue> = { ...file.metadata };
  const declared = metadata["general.alignment"];
  if (declared === undefined) metadata["general.alignment"] = ggufValue.uint32(alignment);
  else if (declared.type !== "uint32" || Number(declared.value) !== alignment) throw new Error("general.alignment must be a uint32 equal to the alignment option");
  checkTensorNames(file.tensors);

  const header = new ByteBuilder();
  header.uint32(GGUF_MAGIC).uint32(GGUF_VERSION).uint64(file.tensors.length).uint64(Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    header.string(key);
    writeValue(header, value);
  }
  let offset = 0;
  const sizes: number[] = [];
  for (const tensor of file.tensors) {
    if (tensor.dims.length === 0 || tensor.dims.length > 4 || tensor.dims.some((dim) => !Number.isInteger(dim) || dim <= 0)) {
      throw new Error(`tensor ${tensor.name} has a bad shape [${tensor.dims.join(", ")}]`);
    }
    const size = ggmlTensorBytes(tensor.type, tensor.dims);
    sizes.push(size);
    header.string(tensor.name).uint32(tensor.dims.length);
    for (const dim of tensor.dims) header.uint64(dim);
    header.uint32(TENSOR_TYPE_IDS[tensor.type]).uint64(offset);
    offset += padTo(size, alignment);
  }
  header.zeros(padTo(header.length, alignment) - header.length);

  const partial = `${path}.${process.pid}-${++partialFiles}.partial`;
  const handle = await open(partial, "w");
  const out = new BufferedFile(handle);
  let complete = false;
  try {
    await out.write(header.bytes());
    for (const [index, tensor] of file.tensors.entries()) {
      const size = sizes[index] ?? 0;
      let written = 0;
      for (const chunk of tensor.data()) {
        written += chunk.byteLength;
        if (written > size) throw new Error(`tensor ${tensor.name} produced more than the ${size} bytes of its shape`);
        await out.write(chunk);
      }
      if (written !== size) throw new Error(`tensor ${tensor.name} produced ${written} bytes, not the ${size} of its shape`);
      await out.write(new Uint8Array(padTo(size, alignment) - size));
    }
    await out.finish();
    complete = true;
    return out.position;
  } finally {
    await out.settle();
    await handle.close();
    if (complete) await rename(partial, path);
    else await rm(partial, { force: true });
  }
}

function checkTensorNames(tensors: readonly GgufTensor[]): void {
  const seen = new Set<string>();
  for (const { name } of tensors) {
    // ggml keeps tensor names in a fixed 64-byte field, terminator included.
    if (Buffer.byteLength(name) >= 64) throw new Error(`tensor name too long: ${name}`);
    if (seen.has(name)) throw new Error(`duplicate tensor name: ${name}`);
    seen.add(name);
  }
}

function padTo(size: number, alignment: number): number {
  return Math.ceil(size / alignment) * alignment;
}

function writeValue(out: ByteBuilder, value: GgufValue): void {
  out.uint32(VALUE_TYPE_IDS[value.type]);
  switch (value.type) {
    case "bool":
      out.uint8(value.value ? 1 : 0);
      return;
    case "string":
      out.string(value.value);
      return;
    case "array":
      out.uint32(VALUE_TYPE_IDS[value.itemType]).uint64(value.value.length);
      if (value.itemType === "string") for (const item of value.value as readonly string[]) out.string(item);
      else if (value.itemType === "bool") for (const item of value.value as readonly boolean[]) out.uint8(item ? 1 : 0);
      else {
        const items = value.value as ArrayLike<number | bigint>;
        for (let i = 0; i < items.length; i++) out.number(value.itemType, items[i] ?? 0);
      }
      return;
    default:
      out.number(value.type, value.value);
  }
}

/** A growable little-endian byte buffer for the header (metadata and tensor infos). */
class ByteBuilder {
  private buffer = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(bytes: number): number {
    if (this.length + bytes > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + bytes));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    const at = this.length;
    this.length += bytes;
    return at;
  }

  uint8(value: number): this {
    return this.number("uint8", value);
  }

  uint32(value: number): this {
    return this.number("uint32", value);
  }

  uint64(value: number | bigint): this {
    return this.number("uint64", value);
  }

  // Each write reserves first: reserving may replace `this.buffer`.
  number(type: GgufNumberType, value: number | bigint): this {
    const n = Number(value);
    switch (type) {
      case "uint8": { const at = this.reserve(1); this.buffer.writeUInt8(n, at); break; }
      case "int8": { const at = this.reserve(1); this.buffer.writeInt8(n, at); break; }
      case "uint16": { const at = this.reserve(2); this.buffer.writeUInt16LE(n, at); break; }
      case "int16": { const at = this.reserve(2); this.buffer.writeInt16LE(n, at); break; }
      case "uint32": { const at = this.reserve(4); this.buffer.writeUInt32LE(n, at); break; }
      case "int32": { const at = this.reserve(4); this.buffer.writeInt32LE(n, at); break; }
      case "float32": { const at = this.reserve(4); this.buffer.writeFloatLE(n, at); break; }
      case "float64": { const at = this.reserve(8); this.buffer.writeDoubleLE(n, at); break; }
      case "uint64": { const at = this.reserve(8); this.buffer.writeBigUInt64LE(BigInt(value), at); break; }
      case "int64": { const at = this.reserve(8); this.buffer.writeBigInt64LE(BigInt(value), at); break; }
    }
    return this;
  }

  string(value: string): this {
    const bytes = Buffer.byteLength(value);
    this.uint64(bytes);
    const at = this.reserve(bytes);
    this.buffer.write(value, at, bytes, "utf8");
    return this;
  }

  zeros(count: number): this {
    const at = this.reserve(count);
    this.buffer.fill(0, at, this.length);
    return this;
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * Gathers chunks into large writes, so that tensors can be produced row by row, and writes one buffer
 * while the next is being filled, so that producing the data and writing it to disk overlap.
 */
class BufferedFile {
  private readonly buffers = [Buffer.alloc(FLUSH_BYTES), Buffer.alloc(FLUSH_BYTES)];
  private current = 0;
  private used = 0;
  private inFlight: Promise<void> = Promise.resolve();
  /** Bytes handed over so far: the file's size once {@link BufferedFile.finish} resolves. */
  position = 0;

  constructor(private readonly handle: FileHandle) {}

  /** Copies the chunk: the caller may reuse it as soon as this resolves. */
  async write(chunk: Uint8Array): Promise<void> {
    let done = 0;
    while (done < chunk.byteLength) {
      const buffer = this.buffers[this.current] as Buffer;
      const count = Math.min(FLUSH_BYTES - this.used, chunk.byteLength - done);
      buffer.set(chunk.subarray(done, done + count), this.used);
      this.used += count;
      done += count;
      if (this.used === FLUSH_BYTES) await this.flush();
    }
  }

  /** Waits for the write under way, if any, ignoring its failure (before closing the file on an error). */
  async settle(): Promise<void> {
    await this.inFlight.catch(() => undefined);
  }

  /** Writes what is buffered and waits until everything is written. */
  async finish(): Promise<void> {
    await this.flush();
    await this.inFlight;
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    // The other buffer must be on disk before it is filled again.
    await this.inFlight;
    const bytes = (this.buffers[this.current] as Buffer).subarray(0, this.used);
    this.inFlight = this.writeFully(bytes, this.position);
    // Handled here so that a failed write never goes unhandled while data is still being produced; the
    // next flush or finish still throws it.
    this.inFlight.catch(() => undefined);
    this.position += this.used;
    this.current = 1 - this.current;
    this.used = 0;
  }

  private async writeFully(bytes: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.byteLength - done, position + done);
      done += bytesWritten;
    }
  }
}
