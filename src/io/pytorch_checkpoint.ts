/**
 * Reads the state dict of a `torch.save` checkpoint (`pytorch_model.bin`) without Python, in
 * both formats torch writes (torch/serialization.py):
 * - zip (torch >= 1.6): `<archive>/data.pkl` holds the pickled state dict, each storage is an entry
 *   `<archive>/data/<key>`, persistent ids are ('storage', storage_type, key, location, numel);
 * - legacy (pre-1.6, e.g. the 2020 facebook/dpr-* uploads): five pickles back to back (magic number,
 *   protocol version, sys_info, state dict, list of storage keys) followed, for each key, by an
 *   8-byte little-endian element count and the raw storage bytes; persistent ids carry a sixth
 *   field, view_metadata, for storages that are views of another.
 * The pickle is read by the restricted unpickler with an allow-list of exactly what torch.save
 * writes for a state dict; tensor bytes are read later, one tensor at a time, straight from the file.
 */
import { closeSync, fstatSync } from 'node:fs';
import { ZipReader } from './pytorch_zip.js';
import { DTYPE_BYTES, type SafetensorsDtype } from './safetensors.js';
import { failIn, openForReading, readExactly } from './open_file.js';
import { gather, isContiguous, maxIndex } from './strided_view.js';
import { CHECKPOINT_GLOBALS, stateDictOf, storageFromPid, type StorageRef, type TensorRef } from './torch_pickle.js';
import { describe, PickleTruncatedError, unpickle, type PyValue, type UnpicklePolicy } from './unpickler.js';

export type CheckpointFormat = 'pytorch-zip' | 'pytorch-legacy';

/** The legacy format's first pickle: torch.serialization.MAGIC_NUMBER. */
export const LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

export interface CheckpointTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
}

/** Reads `length` bytes of a root storage starting at byte `start`. */
type StorageReader = (rootKey: string, start: number, length: number) => Buffer;

/** A torch.save checkpoint opened for reading: the tensor list, and tensor bytes on demand. */
export class PytorchCheckpoint {
  private closed = false;

  private constructor(
    readonly path: string,
    readonly format: CheckpointFormat,
    private readonly tensors: Map<string, TensorRef>,
    private readonly readStorage: StorageReader,
    private readonly closeFile: () => void,
  ) {}

  /** Opens `pytorch_model.bin` (either format) and validates every tensor against its storage. */
  static open(path: string): PytorchCheckpoint {
    const fd = openForReading(path);
    let size: number;
    let head: Buffer;
    try {
      size = fstatSync(fd).size;
      if (size < 4) failIn(path, `file is ${size} bytes, too short to be a PyTorch checkpoint`);
      head = readExactly(fd, 4, 0, path, 'the magic number');
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    let opened: Opened;
    if (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50) {
      closeSync(fd);
      opened = openZip(path);
    } else if (head[0] === 0x80) {
      try {
        opened = openLegacy(path, fd, size);
      } catch (e) {
        closeSync(fd);
        throw e;
      }
    } else {
      closeSync(fd);
      const hex = [...head].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      failIn(
        path,
        `not a PyTorch checkpoint: it starts with bytes ${hex}, neither a zip archive ("PK\\x03\\x04") nor a legacy torch.save pickle (0x80)`,
      );
    }
    return new PytorchCheckpoint(path, opened.format, opened.tensors, opened.read, opened.close);
  }

  get names(): string[] {
    return [...this.tensors.keys()];
  }

  info(name: string): CheckpointTensorInfo {
    const t = this.tensor(name);
    return { name, dtype: t.storage.dtype, shape: [...t.shape] };
  }

  private tensor(name: string): TensorRef {
    const t = this.tensors.get(name);
    if (t === undefined) failIn(this.path, `has no tensor named "${name}"`);
    return t;
  }

  /** A tensor's elements, row-major and contiguous, as little-endian bytes of its dtype. */
  readBytes(name: string): Buffer {
    if (this.closed) failIn(this.path, 'checkpoint was already closed');
    const t = this.tensor(name);
    const es = DTYPE_BYTES[t.storage.dtype];
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel === 0) return Buffer.alloc(0);
    const base = t.storage.elementOffset + t.storageOffset;
    if (isContiguous(t.shape, t.stride)) return this.readStorage(t.storage.rootKey, base * es, numel * es);
    // A strided view (e.g. a transposed weight): read the span it touches once, then gather.
    const span = maxIndex(t.shape, t.stride) + 1;
    const src = this.readStorage(t.storage.rootKey, base * es, span * es);
    return gather(src, t.shape, t.stride, es);
  }

  close(): void {
    if (!this.closed) this.closeFile();
    this.closed = true;
  }
}

/** Checks every tensor lies inside its storage and that each storage key has one dtype and size. */
function validateTensors(path: string, tensors: Map<string, TensorRef>): Map<string, StorageRef> {
  const roots = new Map<string, StorageRef>();
  for (const [name, t] of tensors) {
    const s = t.storage;
    const seen = roots.get(s.rootKey);
    if (seen === undefined) roots.set(s.rootKey, s);
    else if (seen.dtype !== s.dtype || seen.rootNumel !== s.rootNumel) {
      failIn(path, `storage "${s.rootKey}" is declared as ${seen.rootNumel} × ${seen.dtype} and as ${s.rootNumel} × ${s.dtype}`);
    }
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel === 0) continue;
    const last = t.storageOffset + maxIndex(t.shape, t.stride);
    if (last >= s.numel) {
      failIn(
        path,
        `tensor "${name}" of shape [${t.shape.join(', ')}] (offset ${t.storageOffset}, stride [${t.stride.join(', ')}]) reaches element ${last} of a ${s.numel}-element storage`,
      );
    }
    if (!isContiguous(t.shape, t.stride) && numel > s.numel) {
      // Overlapping strides (an expanded view) would make the tensor larger than the bytes in the file.
      failIn(
        path,
        `tensor "${name}" has overlapping strides [${t.stride.join(', ')}] (${numel} elements from a ${s.numel}-element storage); save tensor.contiguous() instead`,
      );
    }
  }
  return roots;
}

function openZip(path: string): Opened {
  const zip = ZipReader.open(path);
  try {
    const pickles = [...zip.entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
    const top = pickles.filter((n) => n.split('/').length <= 2);
    if (top.length !== 1) {
      failIn(
        path,
        top.length === 0
          ? 'the zip archive has no <archive>/data.pkl entry, so it is not a torch.save checkpoint'
          : `the zip archive holds several data.pkl entries (${top.join(', ')})`,
      );
    }
    const prefix = top[0]!.slice(0, -'data.pkl'.length);
    const byteorder = zip.entries.get(`${prefix}byteorder`);
    if (byteorder !== undefined) {
      const order = zip.readEntry(byteorder.name).toString('latin1');
      if (order !== 'little')
        failIn(path, `the checkpoint was saved with byteorder "${order.slice(0, 16)}"; only little-endian checkpoints are supported`);
    }
    const policy: UnpicklePolicy = {
      globals: CHECKPOINT_GLOBALS,
      persistentLoad: (pid, f) => storageFromPid(pid, false, f),
    };
    const pkl = zip.readEntry(top[0]!);
    const { value, end } = unpickle(pkl, policy, `${path}:${top[0]!}`);
    if (end !== pkl.length) failIn(path, `${top[0]!} has ${pkl.length - end} bytes after the pickle's STOP`);
    const tensors = stateDictOf(value, (p) => failIn(path, p));
    const roots = validateTensors(path, tensors);
    for (const s of roots.values()) {
      const entryName = `${prefix}data/${s.rootKey}`;
      const entry = zip.entries.get(entryName);
      if (entry === undefined) failIn(path, `storage "${s.rootKey}" has no entry ${entryName} in the archive (truncated or corrupt)`);
      const bytes = s.rootNumel * DTYPE_BYTES[s.dtype];
      if (entry.uncompressedSize !== bytes) {
        failIn(
          path,
          `storage entry ${entryName} holds ${entry.uncompressedSize} bytes, but the pickle declares ${s.rootNumel} × ${s.dtype} = ${bytes}`,
        );
      }
    }
    return {
      format: 'pytorch-zip',
      tensors,
      read: (rootKey, start, length) => zip.readRange(`${prefix}data/${rootKey}`, start, length),
      close: () => zip.close(),
    };
  } catch (e) {
    zip.close();
    throw e;
  }
}

interface Opened {
  format: CheckpointFormat;
  tensors: Map<string, TensorRef>;
  read: StorageReader;
  close: () => void;
}

/** Reads the legacy format's five pickles from a growing prefix of the file (they are small). */
function readLegacyPickles(path: string, fd: number, size: number): { tensors: Map<string, TensorRef>; keys: PyValue; dataStart: number } {
  let length = Math.min(size, 1 << 20);
  for (;;) {
    const head = readExactly(fd, length, 0, path, 'the pickles');
    try {
      const plain: UnpicklePolicy = { globals: new Map() };
      const magic = unpickle(head, plain, path, 0);
      if (magic.value !== LEGACY_MAGIC_NUMBER) {
        failIn(
          path,
          `not a PyTorch checkpoint: the first pickle is ${describe(magic.value)}, not torch's magic number 0x${LEGACY_MAGIC_NUMBER.toString(16)}`,
        );
      }
      const protocol = unpickle(head, plain, path, magic.end);
      if (protocol.value !== LEGACY_PROTOCOL_VERSION)
        failIn(path, `unsupported legacy protocol version ${describe(protocol.value)} (expected ${LEGACY_PROTOCOL_VERSION})`);
      const sysInfo = unpickle(head, plain, path, protocol.end);
      if (!(sysInfo.value instanceof Map) || sysInfo.value.get('little_endian') !== true) {
        failIn(path, 'the checkpoint was not saved on a little-endian machine (sys_info.little_endian is not True); it is not supported');
      }
      const policy: UnpicklePolicy = { globals: CHECKPOINT_GLOBALS, persistentLoad: (pid, f) => storageFromPid(pid, true, f) };
      const state = unpickle(head, policy, path, sysInfo.end);
      const tensors = stateDictOf(state.value, (p) => failIn(path, p));
      const keys = unpickle(head, { globals: new Map() }, path, state.end);
      return { tensors, keys: keys.value, dataStart: keys.end };
    } catch (e) {
      if (e instanceof PickleTruncatedError && length < size) {
        length = Math.min(size, length * 4);
        continue;
      }
      throw e;
    }
  }
}

function openLegacy(path: string, fd: number, size: number): Opened {
  const { tensors, keys, dataStart } = readLegacyPickles(path, fd, size);
  const roots = validateTensors(path, tensors);
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    failIn(path, `the storage key list is ${describe(keys)}, not a list of strings`);
  }
  // Storages follow in key-list order, each as an 8-byte element count and its bytes.
  const offsets = new Map<string, number>();
  let p = dataStart;
  for (const key of keys as string[]) {
    const s = roots.get(key);
    if (s === undefined) failIn(path, `storage "${key}" in the key list is not used by any tensor`);
    if (offsets.has(key)) failIn(path, `storage "${key}" appears twice in the key list`);
    const count = readExactly(fd, 8, p, path, `the size of storage "${key}"`).readBigInt64LE(0);
    if (count !== BigInt(s.rootNumel))
      failIn(path, `storage "${key}" at byte ${p} holds ${count} elements, but the pickle declares ${s.rootNumel}`);
    const bytes = s.rootNumel * DTYPE_BYTES[s.dtype];
    if (p + 8 + bytes > size)
      failIn(path, `storage "${key}" runs past the end of the file (needs ${bytes} bytes at byte ${p + 8} of ${size}; truncated)`);
    offsets.set(key, p + 8);
    p += 8 + bytes;
  }
  for (const key of roots.keys()) {
    if (!offsets.has(key)) failIn(path, `storage "${key}" is used by a tensor but missing from the key list`);
  }
  if (p !== size) failIn(path, `${size - p} unexpected bytes after the last storage`);
  return {
    format: 'pytorch-legacy',
    tensors,
    read: (rootKey, start, length) => readExactly(fd, length, offsets.get(rootKey)! + start, path, `storage "${rootKey}"`),
    close: () => closeSync(fd),
  };
}
