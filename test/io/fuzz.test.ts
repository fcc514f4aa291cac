/**
 * Corrupted and random bytes fed to the unpickler, the checkpoint reader and the safetensors
 * reader: every outcome is a successful read or a WeightLoadError — never another exception, a
 * hang (each test has a timeout) or an unbounded allocation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { WeightLoadError } from '../../src/errors.js';
import { PytorchCheckpoint } from '../../src/io/pytorch_checkpoint.js';
import { CHECKPOINT_GLOBALS } from '../../src/io/torch_pickle.js';
import { ZipReader } from '../../src/io/pytorch_zip.js';
import { SafetensorsFile, writeSafetensors } from '../../src/io/safetensors.js';
import { unpickle, type UnpicklePolicy } from '../../src/io/unpickler.js';
import { referencePath } from '../helpers/reference.js';
import { f32Bytes, writeLegacyCheckpoint, writeZipCheckpoint, type StorageSpec, type TensorSpec } from './torch_fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fn`; anything thrown must be a WeightLoadError. */
function typedOnly(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof WeightLoadError))
      throw new Error(`expected success or WeightLoadError, got ${(e as Error)?.stack ?? String(e)}`, { cause: e });
  }
}

/** A byte array with some bytes overwritten, and possibly cut short. */
function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      edits: fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      cut: fc.option(fc.nat({ max: base.length }), { freq: 4 }),
    })
    .map(({ edits, cut }) => {
      const copy = Uint8Array.from(base);
      for (const [i, b] of edits) copy[i] = b;
      return cut === null ? copy : copy.subarray(0, cut);
    });
}

const POLICY: UnpicklePolicy = { globals: CHECKPOINT_GLOBALS, persistentLoad: (pid) => pid };

test('unpickle: random bytes and mutated torch pickles give a value or a WeightLoadError', { timeout: 30_000 }, () => {
  const zip = ZipReader.open(referencePath('models', 'question_encoder', 'pytorch_model.bin'));
  const pkl = Uint8Array.from(zip.readEntry('pytorch_model/data.pkl'));
  zip.close();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => typedOnly(() => unpickle(bytes, POLICY, 'random.pkl'))),
    { numRuns: 3000 },
  );
  // Random opcodes after a protocol header exercise the stack machine more than raw noise.
  const OPCODES = [...'()012NI]aelt}su.hqjrcbRQK'].map((c) => c.charCodeAt(0)).concat([0x85, 0x86, 0x87, 0x88, 0x89, 0x8c, 0x94, 0x93]);
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...OPCODES), fc.integer({ min: 0, max: 255 })), { maxLength: 200 }), (ops) =>
      typedOnly(() => unpickle(Uint8Array.from([0x80, 0x02, ...ops]), POLICY, 'ops.pkl')),
    ),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(mutated(pkl), (bytes) => typedOnly(() => unpickle(bytes, POLICY, 'data.pkl'))),
    { numRuns: 1500 },
  );
});

function smallCheckpoint(): { tensors: TensorSpec[]; storages: StorageSpec[] } {
  const a = f32Bytes([1, 2, 3, 4, 5, 6, 7, 8]);
  const b = Uint8Array.from([0, 0x3c, 0, 0x40]);
  return {
    storages: [
      { key: '0', dtype: 'F32', data: a, byteLength: a.length },
      { key: '1', dtype: 'F16', data: b, byteLength: b.length },
    ],
    tensors: [
      { name: 'w', storage: '0', offset: 0, shape: [2, 4] },
      { name: 'wt', storage: '0', offset: 0, shape: [4, 2], stride: [1, 4] },
      { name: 'tail', storage: '0', offset: 6, shape: [2] },
      { name: 'h', storage: '1', offset: 0, shape: [2] },
    ],
  };
}

function readAll(path: string): void {
  const ckpt = PytorchCheckpoint.open(path);
  try {
    for (const name of ckpt.names) {
      const info = ckpt.info(name);
      const bytes = ckpt.readBytes(name);
      // A successful read always has exactly shape × element-size bytes.
      const es = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 }[info.dtype];
      assert.equal(bytes.length, info.shape.reduce((x, y) => x * y, 1) * es);
    }
  } finally {
    ckpt.close();
  }
}

for (const format of ['zip', 'legacy'] as const) {
  test(`PytorchCheckpoint (${format}): corrupted and random files give tensors or a WeightLoadError`, { timeout: 40_000 }, () => {
    const { tensors, storages } = smallCheckpoint();
    const base = join(dir, `base-${format}.bin`);
    if (format === 'zip') writeZipCheckpoint(base, tensors, storages);
    else writeLegacyCheckpoint(base, tensors, storages);
    readAll(base);
    const good = readFileSync(base);
    const path = join(dir, `fuzz-${format}.bin`);
    fc.assert(
      fc.property(mutated(good), (bytes) => {
        writeFileSync(path, bytes);
        typedOnly(() => readAll(path));
      }),
      { numRuns: 250 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, withMagic) => {
        const prefix = format === 'zip' ? [0x50, 0x4b, 0x03, 0x04] : [0x80, 0x02];
        writeFileSync(path, withMagic ? Uint8Array.from([...prefix, ...bytes]) : bytes);
        typedOnly(() => readAll(path));
      }),
      { numRuns: 150 },
    );
  });
}

test('SafetensorsFile: corrupted and random files give tensors or a WeightLoadError', { timeout: 30_000 }, () => {
  const base = join(dir, 'base.safetensors');
  writeSafetensors(
    base,
    [
      { name: 'a', dtype: 'F32', shape: [2, 3], data: f32Bytes([1, 2, 3, 4, 5, 6]) },
      { name: 'b', dtype: 'F16', shape: [2], data: Uint8Array.from([0, 0x3c, 0, 0x40]) },
      { name: 'c', dtype: 'I64', shape: [1], data: new Uint8Array(8) },
    ],
    { format: 'pt' },
  );
  const good = readFileSync(base);
  const path = join(dir, 'fuzz.safetensors');
  const readAllSt = (): void => {
    const f = SafetensorsFile.open(path);
    try {
      for (const name of f.names) {
        const info = f.info(name);
        if (info.dtype === 'I64' || info.dtype === 'I32') f.readIntegers(name);
        else if (['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) f.readFloat32(name);
        else f.readBytes(name);
      }
    } finally {
      f.close();
    }
  };
  fc.assert(
    fc.property(mutated(good), (bytes) => {
      writeFileSync(path, bytes);
      typedOnly(readAllSt);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      writeFileSync(path, bytes);
      typedOnly(readAllSt);
    }),
    { numRuns: 150 },
  );
  // Headers built from random JSON-ish descriptions: shapes, dtypes and offsets that may disagree.
  const tensorArb = fc.record({
    dtype: fc.constantFrom('F32', 'F16', 'I64', 'U8', 'X9'),
    shape: fc.array(fc.oneof(fc.nat({ max: 5 }), fc.constant(2 ** 40)), { maxLength: 3 }),
    data_offsets: fc.tuple(fc.nat({ max: 64 }), fc.oneof(fc.nat({ max: 64 }), fc.constant(2 ** 53))),
  });
  fc.assert(
    fc.property(fc.dictionary(fc.string({ maxLength: 6 }), tensorArb, { maxKeys: 4 }), fc.nat({ max: 64 }), (header, dataLength) => {
      const json = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      writeFileSync(path, Buffer.concat([len, json, Buffer.alloc(dataLength)]));
      typedOnly(readAllSt);
    }),
    { numRuns: 300 },
  );
});
