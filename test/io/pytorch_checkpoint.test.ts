import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WeightLoadError } from '../../src/errors.js';
import { PytorchCheckpoint } from '../../src/io/pytorch_checkpoint.js';
import { ZipReader } from '../../src/io/pytorch_zip.js';
import { SafetensorsFile } from '../../src/io/safetensors.js';
import { referencePath } from '../helpers/reference.js';
import {
  f32Bytes,
  global,
  pickle,
  reduce,
  simpleTensors,
  tuple,
  writeLegacyCheckpoint,
  writeZipCheckpoint,
  type StorageSpec,
  type TensorSpec,
} from './torch_fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-ckpt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const tmp = (name: string): string => join(dir, `${counter++}-${name}`);

const MODELS = [
  'question_encoder',
  'question_encoder-legacy-bin',
  'context_encoder_proj',
  'reader',
  'question_encoder_relpos',
  'context_encoder_relkey',
];

for (const model of MODELS) {
  test(`${model}/pytorch_model.bin: every tensor is bit-identical to HF's model.safetensors`, () => {
    const ckpt = PytorchCheckpoint.open(referencePath('models', model, 'pytorch_model.bin'));
    // The legacy-format copy holds the question_encoder's weights.
    const st = SafetensorsFile.open(
      referencePath('models', model === 'question_encoder-legacy-bin' ? 'question_encoder' : model, 'model.safetensors'),
    );
    try {
      assert.equal(ckpt.format, model.endsWith('legacy-bin') ? 'pytorch-legacy' : 'pytorch-zip');
      assert.deepEqual([...ckpt.names].sort(), [...st.names].sort());
      for (const name of st.names) {
        const info = st.info(name);
        assert.deepEqual(ckpt.info(name), { name, dtype: info.dtype, shape: info.shape }, name);
        assert.ok(ckpt.readBytes(name).equals(st.readBytes(name)), `${name}: bytes differ`);
      }
    } finally {
      ckpt.close();
      st.close();
    }
  });
}

/** A 3×4 matrix whose element (i, j) is 10·i + j, and the same matrix transposed in memory. */
const M = Array.from({ length: 12 }, (_, k) => 10 * Math.floor(k / 4) + (k % 4));
const MT = Array.from({ length: 12 }, (_, k) => M[(k % 3) * 4 + Math.floor(k / 3)]!);

function strided(): { tensors: TensorSpec[]; storages: StorageSpec[] } {
  const shared = f32Bytes([...M, 100, 101, 102, 103]);
  return {
    storages: [
      { key: 'shared', dtype: 'F32', data: shared, byteLength: shared.length },
      { key: 't', dtype: 'F32', data: f32Bytes(MT), byteLength: 48 },
      { key: 'h', dtype: 'F16', data: Uint8Array.from([0x00, 0x3c, 0x00, 0xc0]), byteLength: 4 },
    ],
    tensors: [
      { name: 'whole', storage: 'shared', offset: 0, shape: [3, 4] },
      // Shared storage: a row and a column of the same bytes, and the tail at an offset.
      { name: 'row1', storage: 'shared', offset: 4, shape: [4] },
      { name: 'col2', storage: 'shared', offset: 2, shape: [3], stride: [4] },
      { name: 'tail', storage: 'shared', offset: 12, shape: [2, 2], parameter: true },
      // A transposed view: logical [3, 4] stored column-major.
      { name: 'transposed', storage: 't', offset: 0, shape: [3, 4], stride: [1, 3] },
      { name: 'half', storage: 'h', offset: 0, shape: [2] },
      { name: 'empty', storage: 'h', offset: 0, shape: [0, 5] },
    ],
  };
}

function floats(b: Buffer): number[] {
  return [...new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))];
}

for (const [format, write] of [
  ['zip', (p: string, t: TensorSpec[], s: StorageSpec[]) => writeZipCheckpoint(p, t, s, { metadata: true })],
  [
    'zip64 + deflate',
    (p: string, t: TensorSpec[], s: StorageSpec[]) => writeZipCheckpoint(p, t, s, { zip64: true, deflate: true, archive: 'my model' }),
  ],
  ['legacy', (p: string, t: TensorSpec[], s: StorageSpec[]) => writeLegacyCheckpoint(p, t, s)],
] as const) {
  test(`${format}: strided views, shared storages with offsets, parameters, float16 and empty tensors`, () => {
    const path = tmp(`strided-${format}.bin`);
    const { tensors, storages } = strided();
    write(path, tensors, storages);
    const ckpt = PytorchCheckpoint.open(path);
    try {
      assert.deepEqual(floats(ckpt.readBytes('whole')), M);
      assert.deepEqual(floats(ckpt.readBytes('row1')), [10, 11, 12, 13]);
      assert.deepEqual(floats(ckpt.readBytes('col2')), [2, 12, 22]);
      assert.deepEqual(floats(ckpt.readBytes('tail')), [100, 101, 102, 103]);
      assert.deepEqual(floats(ckpt.readBytes('transposed')), M);
      assert.deepEqual(ckpt.info('half'), { name: 'half', dtype: 'F16', shape: [2] });
      assert.deepEqual([...ckpt.readBytes('half')], [0x00, 0x3c, 0x00, 0xc0]);
      assert.equal(ckpt.readBytes('empty').length, 0);
    } finally {
      ckpt.close();
    }
  });
}

test('legacy storage views (view_metadata) read the right slice of their root storage', () => {
  const path = tmp('views.bin');
  const root = f32Bytes([0, 1, 2, 3, 4, 5, 6, 7]);
  writeLegacyCheckpoint(
    path,
    [
      { name: 'a', storage: 'r', offset: 0, shape: [3], view: ['v1', 2, 3] },
      { name: 'b', storage: 'r', offset: 1, shape: [2], view: ['v2', 5, 3] },
    ],
    [{ key: 'r', dtype: 'F32', data: root, byteLength: root.length }],
  );
  const ckpt = PytorchCheckpoint.open(path);
  assert.deepEqual(floats(ckpt.readBytes('a')), [2, 3, 4]);
  assert.deepEqual(floats(ckpt.readBytes('b')), [6, 7]);
  ckpt.close();
});

function expectWeightLoadError(fn: () => unknown, pattern: RegExp, file: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WeightLoadError, `expected WeightLoadError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
    return true;
  });
}

const one = simpleTensors([{ name: 'w', dtype: 'F32', shape: [2, 2], data: f32Bytes([1, 2, 3, 4]) }]);

test('a pickle naming a foreign global is refused, naming the global and the file', () => {
  for (const [module, name] of [
    ['torch.storage', '_load_from_bytes'],
    ['builtins', 'exec'],
    ['torch._tensor', '_rebuild_from_type_v2'],
  ]) {
    const evil = pickle({ t: 'odict', entries: [['w', reduce(global(module!, name!), 'print(1)')]], state: null });
    for (const legacy of [false, true]) {
      const path = tmp(legacy ? 'evil-legacy.bin' : 'evil.bin');
      if (legacy) writeLegacyCheckpoint(path, one.tensors, one.storages, { pickleBytes: evil });
      else writeZipCheckpoint(path, one.tensors, one.storages, { pickleBytes: evil });
      expectWeightLoadError(
        () => PytorchCheckpoint.open(path),
        new RegExp(`refusing global "${`${module}.${name}`.replace(/\./g, '\\.')}"`),
        path,
      );
    }
  }
});

test('structural problems in a zip checkpoint are WeightLoadErrors naming the problem', () => {
  const persid = (items: unknown[]) => ({ t: 'persid' as const, pid: tuple(...(items as never[])) });
  const rebuild = (storage: unknown, offset: number, shape: number[], stride: number[]) =>
    reduce(
      global('torch._utils', '_rebuild_tensor_v2'),
      storage as never,
      offset,
      tuple(...shape),
      tuple(...stride),
      false,
      reduce(global('collections', 'OrderedDict')),
    );
  const fs = global('torch', 'FloatStorage');
  const cases: Array<[string, Uint8Array, RegExp]> = [
    [
      'past the storage',
      pickle({ t: 'odict', entries: [['w', rebuild(persid(['storage', fs, '0', 'cpu', 4]), 1, [2, 2], [2, 1])]], state: null }),
      /tensor "w" of shape \[2, 2\] .* reaches element 4 of a 4-element storage/,
    ],
    [
      'expanded stride',
      pickle({ t: 'odict', entries: [['w', rebuild(persid(['storage', fs, '0', 'cpu', 4]), 0, [100, 4], [0, 1])]], state: null }),
      /overlapping strides/,
    ],
    [
      'declared size differs from the entry',
      pickle({ t: 'odict', entries: [['w', rebuild(persid(['storage', fs, '0', 'cpu', 8]), 0, [2, 2], [2, 1])]], state: null }),
      /holds 16 bytes, but the pickle declares 8 × F32 = 32/,
    ],
    [
      'missing storage entry',
      pickle({ t: 'odict', entries: [['w', rebuild(persid(['storage', fs, '9', 'cpu', 4]), 0, [2, 2], [2, 1])]], state: null }),
      /storage "9" has no entry archive\/data\/9/,
    ],
    [
      'bad storage type',
      pickle({
        t: 'odict',
        entries: [['w', rebuild(persid(['storage', global('collections', 'OrderedDict'), '0', 'cpu', 4]), 0, [2], [1])]],
        state: null,
      }),
      /storage type collections\.OrderedDict is not a torch storage class/,
    ],
    ['not a state dict', pickle([1, 2]), /not a state dict/],
    ['a non-tensor value', pickle({ t: 'odict', entries: [['epoch', 3]], state: null }), /state dict entry "epoch" is 3, not a tensor/],
    [
      'trailing bytes after STOP',
      new Uint8Array([...pickle({ t: 'odict', entries: [], state: null }), 0x4e]),
      /1 bytes after the pickle's STOP/,
    ],
  ];
  for (const [name, bytes, pattern] of cases) {
    const path = tmp(`bad-${name.replace(/\W+/g, '_')}.bin`);
    writeZipCheckpoint(path, one.tensors, one.storages, { pickleBytes: bytes });
    expectWeightLoadError(() => PytorchCheckpoint.open(path), pattern, path);
  }
  const big = tmp('bigendian.bin');
  writeZipCheckpoint(big, one.tensors, one.storages, { byteorder: 'big' });
  expectWeightLoadError(() => PytorchCheckpoint.open(big), /byteorder "big"/, big);
});

test('wrong magic numbers and truncated files are WeightLoadErrors naming the file', () => {
  const notTorch = tmp('model.bin');
  writeFileSync(notTorch, '{"not": "a checkpoint"}');
  expectWeightLoadError(() => PytorchCheckpoint.open(notTorch), /not a PyTorch checkpoint: it starts with bytes 7b 22 6e 6f/, notTorch);
  const wrongMagic = tmp('magic.bin');
  writeFileSync(wrongMagic, Buffer.concat([pickle(12345n), pickle(1001)]));
  expectWeightLoadError(() => PytorchCheckpoint.open(wrongMagic), /first pickle is 12345, not torch's magic number/, wrongMagic);
  expectWeightLoadError(() => PytorchCheckpoint.open(tmp('absent.bin')), /cannot open/, 'absent.bin');

  // Cut the reference checkpoints at several points: each cut is a typed error, never a crash.
  for (const model of ['question_encoder', 'question_encoder-legacy-bin']) {
    const full = readFileSync(referencePath('models', model, 'pytorch_model.bin'));
    for (const fraction of [0.001, 0.3, 0.7, 0.999]) {
      const path = tmp(`cut-${model}.bin`);
      writeFileSync(path, full.subarray(0, Math.floor(full.length * fraction)));
      expectWeightLoadError(() => PytorchCheckpoint.open(path), /truncated|end-of-central-directory|runs past|unexpected end/, path);
    }
    // Extra bytes appended to a legacy file are reported; a zip tolerates nothing after its end record.
    const padded = tmp(`padded-${model}.bin`);
    writeFileSync(padded, Buffer.concat([full, Buffer.alloc(16)]));
    expectWeightLoadError(
      () => PytorchCheckpoint.open(padded),
      model.endsWith('legacy-bin') ? /16 unexpected bytes after the last storage/ : /end-of-central-directory/,
      padded,
    );
  }
});

test('a flipped byte inside a stored tensor is caught by the zip CRC-32', () => {
  const path = tmp('crc.bin');
  copyFileSync(referencePath('models', 'question_encoder', 'pytorch_model.bin'), path);
  const zip = ZipReader.open(path);
  const entry = [...zip.entries.values()].find((e) => e.uncompressedSize === 3906816)!;
  zip.close();
  const bytes = readFileSync(path);
  bytes[entry.dataOffset + 1000]! ^= 0x40;
  writeFileSync(path, bytes);
  const ckpt = PytorchCheckpoint.open(path);
  expectWeightLoadError(
    () => ckpt.readBytes('question_encoder.bert_model.embeddings.word_embeddings.weight'),
    /fails its CRC-32 check/,
    path,
  );
  ckpt.close();
  assert.ok(statSync(path).size > 0);
});
