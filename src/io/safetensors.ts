/**
 * A strict reader and writer for the safetensors format
 * (https://github.com/huggingface/safetensors): 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`, then the
 * byte buffer. Every header is validated before any tensor is read: offsets must lie inside the
 * file, must not overlap, must agree with shape × dtype size, and must cover the buffer exactly.
 */
import { closeSync, fstatSync } from 'node:fs';
import { writeAll, writeFileAtomicWith } from './atomic_file.js';
import { WeightLoadError } from '../errors.js';
import { decodeFloat16 } from './float16.js';
import { failIn, openForReading, readExactly } from './open_file.js';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte offsets relative to the start of the data buffer (after the header). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** Absolute file offset where the data buffer starts. */
  dataStart: number;
}

/** A header larger than this is refused rather than allocated (HF's own limit is 100 MB). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Parses and validates a header. `fileSize` is the total size of the file in bytes. */
export function parseHeader(headerBytes: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    failIn(file, `the safetensors header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    failIn(file, 'the safetensors header is not a JSON object');
  }
  const dataStart = 8 + headerBytes.length;
  const dataSize = fileSize - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) failIn(file, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') failIn(file, `__metadata__.${k} is not a string`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    if (typeof raw !== 'object' || raw === null) failIn(file, `tensor "${name}" has no description`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      failIn(file, `tensor "${name}" has unsupported dtype ${JSON.stringify(dtype)}`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      failIn(file, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      failIn(file, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataSize) {
      failIn(
        file,
        `tensor "${name}" runs past the end of the file (ends at byte ${end} of a ${dataSize}-byte buffer; the file may be truncated)`,
      );
    }
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const expectedBytes = numel * DTYPE_BYTES[dtype as SafetensorsDtype];
    if (end - begin !== expectedBytes) {
      failIn(
        file,
        `tensor "${name}" occupies ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${expectedBytes}`,
      );
    }
    tensors.set(name, { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }
  const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const info of sorted) {
    if (info.begin < cursor) failIn(file, `tensor "${info.name}" overlaps the tensor before it`);
    if (info.begin > cursor) failIn(file, `the data buffer has a hole of ${info.begin - cursor} bytes before tensor "${info.name}"`);
    cursor = info.end;
  }
  if (cursor !== dataSize) {
    failIn(file, `the data buffer has ${dataSize - cursor} bytes after the last tensor`);
  }
  return { tensors, metadata, dataStart };
}

/** A safetensors file opened for reading: the validated header, and tensors read on demand. */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
    readonly header: SafetensorsHeader,
  ) {}

  static open(path: string): SafetensorsFile {
    const fd = openForReading(path);
    try {
      const size = fstatSync(fd).size;
      if (size < 8) failIn(path, `file is ${size} bytes, too short to hold a safetensors header`);
      const lengthBytes = readExactly(fd, 8, 0, path, 'the header length');
      const headerLength = lengthBytes.readBigUInt64LE(0);
      if (headerLength > BigInt(MAX_HEADER_BYTES)) {
        failIn(path, `header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
      }
      if (headerLength > BigInt(size - 8)) {
        failIn(path, `header length ${headerLength} runs past the end of the ${size}-byte file (truncated or not a safetensors file)`);
      }
      const headerBytes = readExactly(fd, Number(headerLength), 8, path, 'the header');
      const header = parseHeader(headerBytes, size, path);
      return new SafetensorsFile(path, fd, header);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  get names(): string[] {
    return [...this.header.tensors.keys()];
  }

  info(name: string): TensorInfo {
    const info = this.header.tensors.get(name);
    if (info === undefined) failIn(this.path, `has no tensor named "${name}"`);
    return info;
  }

  /** The raw little-endian bytes of a tensor. */
  readBytes(name: string): Buffer {
    if (this.fd === undefined) failIn(this.path, 'file was already closed');
    const info = this.info(name);
    return readExactly(this.fd, info.end - info.begin, this.header.dataStart + info.begin, this.path, `tensor "${name}"`);
  }

  /** A floating-point tensor widened to float32 (F16, BF16 and F64 are converted). */
  readFloat32(name: string): Float32Array {
    const info = this.info(name);
    return bytesToFloat32(this.readBytes(name), info.dtype, name, this.path);
  }

  /** An integer tensor as plain numbers (I64 values must be exactly representable). */
  readIntegers(name: string): Int32Array | number[] {
    const info = this.info(name);
    const bytes = this.readBytes(name);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = info.shape.reduce((a, b) => a * b, 1);
    switch (info.dtype) {
      case 'I64': {
        const out: number[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const v = view.getBigInt64(i * 8, true);
          if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
            failIn(this.path, `tensor "${name}" holds ${v}, too large for a JavaScript number`);
          }
          out[i] = Number(v);
        }
        return out;
      }
      case 'I32': {
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
        return out;
      }
      default:
        failIn(this.path, `tensor "${name}" is ${info.dtype}, not an integer type`);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Converts raw little-endian bytes of a floating dtype to float32. */
export function bytesToFloat32(bytes: Uint8Array, dtype: SafetensorsDtype, name: string, file: string): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(bytes.byteLength / 4);
      if (bytes.byteOffset % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, out.length));
      else for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F16':
      return decodeFloat16(bytes);
    case 'BF16': {
      const out = new Float32Array(bytes.byteLength / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'F64': {
      const out = new Float32Array(bytes.byteLength / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    default:
      return failIn(file, `tensor "${name}" is ${dtype}, not a floating-point type`);
  }
}

export interface TensorToWrite {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Little-endian bytes, or a function producing them when the writer reaches this tensor. */
  data: Uint8Array | (() => Uint8Array);
}

/**
 * Writes a safetensors file atomically and durably (io/atomic_file.ts): no reader ever sees a
 * half-written file. Tensors are written in
 * the order given; a `data` function lets a caller produce one tensor at a time (streaming).
 */
export function writeSafetensors(path: string, tensors: TensorToWrite[], metadata: Record<string, string> = {}): void {
  // A null-prototype object, so a tensor named "__proto__" is an ordinary key.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__') throw new WeightLoadError('a tensor cannot be named __metadata__');
    const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  // Pad with spaces so the data buffer starts 8-byte aligned, as the reference writer does.
  const headerLength = Buffer.byteLength(headerText, 'utf8');
  headerText += ' '.repeat((8 - ((8 + headerLength) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  writeFileAtomicWith(path, (fd) => {
    const lengthBytes = Buffer.alloc(8);
    lengthBytes.writeBigUInt64LE(BigInt(headerBytes.length));
    writeAll(fd, lengthBytes);
    writeAll(fd, headerBytes);
    for (const t of tensors) {
      const data = typeof t.data === 'function' ? t.data() : t.data;
      const expected = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
      if (data.byteLength !== expected) {
        throw new WeightLoadError(`tensor "${t.name}": got ${data.byteLength} bytes, shape × dtype needs ${expected}`);
      }
      writeAll(fd, data);
    }
  });
}
