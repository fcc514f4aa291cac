/**
 * Writes torch.save-format checkpoints without Python, for tests and the conversion benchmark:
 * a small pickle writer (protocol 2, the opcodes torch.save emits), a zip writer laid out like
 * PyTorchStreamWriter (stored entries, data 64-byte aligned, optional zip64 records), and the
 * legacy pre-1.6 layout. Low-level pieces are exported so tests can build malformed files.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import * as zlib from 'node:zlib';
import type { SafetensorsDtype } from '../../src/io/safetensors.js';

// ---------------------------------------------------------------- pickle writer

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | { t: 'tuple'; items: PickleValue[] }
  | { t: 'dict'; entries: Array<[PickleValue, PickleValue]> }
  | { t: 'global'; module: string; name: string }
  | { t: 'reduce'; fn: PickleValue; args: PickleValue[] }
  | { t: 'odict'; entries: Array<[PickleValue, PickleValue]>; state: PickleValue }
  | { t: 'persid'; pid: PickleValue }
  | { t: 'float'; value: number }
  | { t: 'raw'; bytes: number[] };

export const tuple = (...items: PickleValue[]): PickleValue => ({ t: 'tuple', items });
export const global = (module: string, name: string): PickleValue => ({ t: 'global', module, name });
export const reduce = (fn: PickleValue, ...args: PickleValue[]): PickleValue => ({ t: 'reduce', fn, args });
/** An OrderedDict; `state` (instance attributes such as `_metadata`) is set with BUILD when not null. */
export const orderedDict = (entries: Array<[PickleValue, PickleValue]>, state: PickleValue = null): PickleValue => ({
  t: 'odict',
  entries,
  state,
});

class ByteSink {
  private chunks: number[] = [];
  byte(b: number): void {
    this.chunks.push(b & 0xff);
  }
  bytes(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.chunks.push(b[i]!);
  }
  u32(v: number): void {
    this.bytes([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function writeValue(out: ByteSink, v: PickleValue): void {
  if (v === null) return out.byte(0x4e);
  if (v === true) return out.byte(0x88);
  if (v === false) return out.byte(0x89);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v < 256) return out.bytes([0x4b, v]);
    if (Number.isInteger(v) && v >= 0 && v < 65536) return out.bytes([0x4d, v & 0xff, v >> 8]);
    if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
      out.byte(0x4a);
      return out.u32(v >>> 0);
    }
    if (Number.isInteger(v)) return writeValue(out, BigInt(v));
    return writeValue(out, { t: 'float', value: v });
  }
  if (typeof v === 'bigint') {
    const bytes: number[] = [];
    let x = v;
    // Two's complement, little-endian, minimal length (as pickle's encode_long).
    for (;;) {
      bytes.push(Number(x & 0xffn));
      x >>= 8n;
      const top = bytes[bytes.length - 1]!;
      if ((x === 0n && (top & 0x80) === 0) || (x === -1n && (top & 0x80) !== 0)) break;
    }
    return out.bytes([0x8a, bytes.length, ...bytes]);
  }
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    out.byte(0x58);
    out.u32(b.length);
    return out.bytes(b);
  }
  if (v instanceof Uint8Array) {
    out.byte(0x42);
    out.u32(v.length);
    return out.bytes(v);
  }
  if (Array.isArray(v)) {
    out.bytes([0x5d, 0x28]);
    for (const item of v) writeValue(out, item);
    return out.byte(0x65);
  }
  switch (v.t) {
    case 'tuple':
      if (v.items.length === 0) return out.byte(0x29);
      out.byte(0x28);
      for (const item of v.items) writeValue(out, item);
      return out.byte(0x74);
    case 'dict':
      out.bytes([0x7d, 0x28]);
      for (const [k, val] of v.entries) {
        writeValue(out, k);
        writeValue(out, val);
      }
      return out.byte(0x75);
    case 'global':
      out.byte(0x63);
      out.bytes(Buffer.from(`${v.module}\n${v.name}\n`, 'utf8'));
      return;
    case 'reduce':
      writeValue(out, v.fn);
      writeValue(out, { t: 'tuple', items: v.args });
      return out.byte(0x52);
    case 'odict': {
      // What protocol 2 writes for an OrderedDict: REDUCE with no arguments, SETITEMS, then BUILD.
      writeValue(out, reduce(global('collections', 'OrderedDict')));
      if (v.entries.length > 0) {
        out.byte(0x28);
        for (const [k, val] of v.entries) {
          writeValue(out, k);
          writeValue(out, val);
        }
        out.byte(0x75);
      }
      if (v.state !== null) {
        writeValue(out, v.state);
        out.byte(0x62);
      }
      return;
    }
    case 'persid':
      writeValue(out, v.pid);
      return out.byte(0x51);
    case 'float': {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(v.value);
      out.byte(0x47);
      return out.bytes(b);
    }
    case 'raw':
      return out.bytes(v.bytes);
  }
}

/** A protocol-2 pickle of `value`, as `pickle.dumps(value, protocol=2)` would shape it. */
export function pickle(value: PickleValue): Uint8Array {
  const out = new ByteSink();
  out.bytes([0x80, 0x02]);
  writeValue(out, value);
  out.byte(0x2e);
  return out.toBytes();
}

// ---------------------------------------------------------------- state dicts

export const STORAGE_CLASS: Record<SafetensorsDtype, string> = {
  F64: 'DoubleStorage',
  F32: 'FloatStorage',
  F16: 'HalfStorage',
  BF16: 'BFloat16Storage',
  I64: 'LongStorage',
  I32: 'IntStorage',
  I16: 'ShortStorage',
  I8: 'CharStorage',
  U8: 'ByteStorage',
  BOOL: 'BoolStorage',
};

export const ELEMENT_BYTES: Record<SafetensorsDtype, number> = {
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

export interface StorageSpec {
  key: string;
  dtype: SafetensorsDtype;
  /** Raw little-endian bytes (numel = length / element size), or a producer for big fixtures. */
  data: Uint8Array | (() => Uint8Array);
  byteLength: number;
}

export interface TensorSpec {
  name: string;
  storage: string;
  offset: number;
  shape: number[];
  stride?: number[];
  /** Wrap in torch._utils._rebuild_parameter (an nn.Parameter). */
  parameter?: boolean;
  /** Legacy format only: (view_key, offset, size) of a storage view. */
  view?: [string, number, number];
}

export function contiguousStride(shape: number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    stride[d] = s;
    s *= shape[d]!;
  }
  return stride;
}

/** The pickled state dict torch.save writes for these tensors. */
export function stateDictPickle(
  tensors: TensorSpec[],
  storages: StorageSpec[],
  options: { legacy?: boolean; metadata?: boolean; extraEntries?: Array<[PickleValue, PickleValue]> } = {},
): Uint8Array {
  const byKey = new Map(storages.map((s) => [s.key, s]));
  const entries: Array<[PickleValue, PickleValue]> = tensors.map((t) => {
    const s = byKey.get(t.storage);
    if (s === undefined) throw new Error(`fixture: no storage ${t.storage}`);
    const numel = s.byteLength / ELEMENT_BYTES[s.dtype];
    const pidItems: PickleValue[] = ['storage', global('torch', STORAGE_CLASS[s.dtype]), s.key, 'cpu', numel];
    if (options.legacy) pidItems.push(t.view === undefined ? null : tuple(...t.view));
    const tensor = reduce(
      global('torch._utils', '_rebuild_tensor_v2'),
      { t: 'persid', pid: tuple(...pidItems) },
      t.offset,
      tuple(...t.shape),
      tuple(...(t.stride ?? contiguousStride(t.shape))),
      false,
      reduce(global('collections', 'OrderedDict')),
    );
    return [
      t.name,
      t.parameter
        ? reduce(global('torch._utils', '_rebuild_parameter'), tensor, true, reduce(global('collections', 'OrderedDict')))
        : tensor,
    ];
  });
  entries.push(...(options.extraEntries ?? []));
  const state: PickleValue = options.metadata
    ? { t: 'dict', entries: [['_metadata', orderedDict([['', { t: 'dict', entries: [['version', 1]] }]])]] }
    : null;
  return pickle(orderedDict(entries, state));
}

/** Simple contiguous tensors, one storage each (what a state dict of a model usually is). */
export function simpleTensors(tensors: Array<{ name: string; dtype: SafetensorsDtype; shape: number[]; data: Uint8Array }>): {
  tensors: TensorSpec[];
  storages: StorageSpec[];
} {
  return {
    tensors: tensors.map((t, i) => ({ name: t.name, storage: String(i), offset: 0, shape: t.shape })),
    storages: tensors.map((t, i) => ({ key: String(i), dtype: t.dtype, data: t.data, byteLength: t.data.byteLength })),
  };
}

// ---------------------------------------------------------------- zip writer

export interface ZipEntryToWrite {
  name: string;
  data: Uint8Array | (() => Uint8Array);
  /** 0 stored (torch), 8 deflate. */
  method?: 0 | 8;
}

/** Writes a zip like PyTorchStreamWriter: data aligned to 64 bytes, zip64 records when asked. */
export function writeZip(path: string, entries: ZipEntryToWrite[], options: { zip64?: boolean } = {}): void {
  const fd = openSync(path, 'w');
  try {
    let pos = 0;
    const write = (b: Uint8Array): void => {
      let done = 0;
      while (done < b.length) done += writeSync(fd, b, done, b.length - done, pos + done);
      pos += b.length;
    };
    const central: Buffer[] = [];
    for (const e of entries) {
      const raw = typeof e.data === 'function' ? e.data() : e.data;
      const method = e.method ?? 0;
      const body = method === 8 ? zlib.deflateRawSync(raw) : raw;
      const crc = zlib.crc32(raw) >>> 0;
      const name = Buffer.from(e.name, 'utf8');
      const localOffset = pos;
      const zip64 = options.zip64 ?? false;
      const base = 30 + name.length + (zip64 ? 20 : 0);
      const pad = (64 - ((localOffset + base + 4) % 64)) % 64;
      const extra = Buffer.alloc((zip64 ? 20 : 0) + 4 + pad);
      let x = 0;
      if (zip64) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(16, 2);
        extra.writeBigUInt64LE(BigInt(raw.length), 4);
        extra.writeBigUInt64LE(BigInt(body.length), 12);
        x = 20;
      }
      extra.writeUInt16LE(0x4654, x); // 'FB' padding record, as PyTorchStreamWriter writes
      extra.writeUInt16LE(pad, x + 2);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(zip64 ? 45 : 20, 4);
      local.writeUInt16LE(method, 8);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(zip64 ? 0xffffffff : body.length, 18);
      local.writeUInt32LE(zip64 ? 0xffffffff : raw.length, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(extra.length, 28);
      write(local);
      write(name);
      write(extra);
      write(body);
      const cdExtra = zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
      if (zip64) {
        cdExtra.writeUInt16LE(0x0001, 0);
        cdExtra.writeUInt16LE(24, 2);
        cdExtra.writeBigUInt64LE(BigInt(raw.length), 4);
        cdExtra.writeBigUInt64LE(BigInt(body.length), 12);
        cdExtra.writeBigUInt64LE(BigInt(localOffset), 20);
      }
      const cd = Buffer.alloc(46);
      cd.writeUInt32LE(0x02014b50, 0);
      cd.writeUInt16LE(zip64 ? 45 : 20, 4);
      cd.writeUInt16LE(zip64 ? 45 : 20, 6);
      cd.writeUInt16LE(method, 10);
      cd.writeUInt32LE(crc, 16);
      cd.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
      cd.writeUInt32LE(zip64 ? 0xffffffff : raw.length, 24);
      cd.writeUInt16LE(name.length, 28);
      cd.writeUInt16LE(cdExtra.length, 30);
      cd.writeUInt32LE(zip64 ? 0xffffffff : localOffset, 42);
      central.push(cd, name, cdExtra);
    }
    const cdOffset = pos;
    for (const c of central) write(c);
    const cdSize = pos - cdOffset;
    if (options.zip64) {
      const recordAt = pos;
      const record = Buffer.alloc(56);
      record.writeUInt32LE(0x06064b50, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(45, 12);
      record.writeUInt16LE(45, 14);
      record.writeBigUInt64LE(BigInt(entries.length), 24);
      record.writeBigUInt64LE(BigInt(entries.length), 32);
      record.writeBigUInt64LE(BigInt(cdSize), 40);
      record.writeBigUInt64LE(BigInt(cdOffset), 48);
      write(record);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(recordAt), 8);
      locator.writeUInt32LE(1, 16);
      write(locator);
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 8);
    eocd.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 10);
    eocd.writeUInt32LE(options.zip64 ? 0xffffffff : cdSize, 12);
    eocd.writeUInt32LE(options.zip64 ? 0xffffffff : cdOffset, 16);
    write(eocd);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------- checkpoints

export interface CheckpointOptions {
  archive?: string;
  zip64?: boolean;
  /** Deflate the storage entries (torch never does; other zip tools might). */
  deflate?: boolean;
  metadata?: boolean;
  byteorder?: string;
  /** Replaces the pickled state dict (for malformed fixtures). */
  pickleBytes?: Uint8Array;
}

/** A zip-format (torch >= 1.6) checkpoint. */
export function writeZipCheckpoint(path: string, tensors: TensorSpec[], storages: StorageSpec[], options: CheckpointOptions = {}): void {
  const archive = options.archive ?? 'archive';
  const entries: ZipEntryToWrite[] = [
    { name: `${archive}/data.pkl`, data: options.pickleBytes ?? stateDictPickle(tensors, storages, { metadata: options.metadata }) },
  ];
  if (options.byteorder !== undefined) entries.push({ name: `${archive}/byteorder`, data: Buffer.from(options.byteorder) });
  for (const s of storages) entries.push({ name: `${archive}/data/${s.key}`, data: s.data, method: options.deflate ? 8 : 0 });
  entries.push({ name: `${archive}/version`, data: Buffer.from('3\n') });
  writeZip(path, entries, { zip64: options.zip64 });
}

/** A legacy (pre-1.6) checkpoint: five pickles, then each storage as count + bytes. */
export function writeLegacyCheckpoint(
  path: string,
  tensors: TensorSpec[],
  storages: StorageSpec[],
  options: { pickleBytes?: Uint8Array } = {},
): void {
  const parts: Uint8Array[] = [
    pickle(0x1950a86a20f9469cfc6cn),
    pickle(1001),
    pickle({
      t: 'dict',
      entries: [
        ['protocol_version', 1001],
        ['little_endian', true],
        [
          'type_sizes',
          {
            t: 'dict',
            entries: [
              ['short', 2],
              ['int', 4],
              ['long', 4],
            ],
          },
        ],
      ],
    }),
    options.pickleBytes ?? stateDictPickle(tensors, storages, { legacy: true, metadata: true }),
    pickle(storages.map((s) => s.key)),
  ];
  for (const s of storages) {
    const count = Buffer.alloc(8);
    count.writeBigInt64LE(BigInt(s.byteLength / ELEMENT_BYTES[s.dtype]));
    parts.push(count, typeof s.data === 'function' ? s.data() : s.data);
  }
  const fd = openSync(path, 'w');
  try {
    for (const p of parts) {
      let done = 0;
      while (done < p.length) done += writeSync(fd, p, done, p.length - done);
    }
  } finally {
    closeSync(fd);
  }
}

/** Float32 values as little-endian bytes. */
export function f32Bytes(values: ArrayLike<number>): Uint8Array {
  const a = Float32Array.from(values);
  return new Uint8Array(a.buffer);
}

/** Deterministic pseudo-random float32 bytes (xorshift32), cheap enough for large fixtures. */
export function randomF32Bytes(count: number, seed: number): Uint8Array {
  const out = new Float32Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = ((x >>> 0) / 4294967296 - 0.5) * 0.2;
  }
  return new Uint8Array(out.buffer);
}
