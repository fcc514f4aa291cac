import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, InputError, WeightLoadError } from '../../src/errors.js';
import { convertCheckpoint } from '../../src/io/convert.js';
import { ZipReader } from '../../src/io/pytorch_zip.js';
import { float16ToFloat32, float32ToFloat16 } from '../../src/io/float16.js';
import { SafetensorsFile, type SafetensorsDtype } from '../../src/io/safetensors.js';
import { runCli } from '../helpers/cli.js';
import { referencePath } from '../helpers/reference.js';
import { f32Bytes, simpleTensors, writeLegacyCheckpoint } from './torch_fixture.js';

const root = mkdtempSync(join(tmpdir(), 'dpr-convert-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (name: string): string => join(root, `${counter++}-${name}`);

const MODELS = [
  'question_encoder',
  'question_encoder-legacy-bin',
  'context_encoder_proj',
  'reader',
  'question_encoder_relpos',
  'context_encoder_relkey',
];
const referenceWeights = (model: string): string =>
  referencePath('models', model === 'question_encoder-legacy-bin' ? 'question_encoder' : model, 'model.safetensors');

/** A writable copy of a reference model directory without its model.safetensors. */
function copyModel(model: string, withSafetensors = false): string {
  const dir = fresh(`${model}-src`);
  cpSync(referencePath('models', model), dir, { recursive: true });
  if (!withSafetensors) rmSync(join(dir, 'model.safetensors'), { force: true });
  return dir;
}

/** No staging directories (`<out>.partial-…`) left next to `out`. */
function assertNoStaging(out: string): void {
  const parent = join(out, '..');
  const leftovers = readdirSync(parent).filter((n) => n.includes('.partial-'));
  assert.deepEqual(leftovers, [], 'no staging directory is left behind');
}

for (const model of MODELS) {
  test(`convert ${model} from pytorch_model.bin: bit-identical to HF's model.safetensors minus position_ids`, async () => {
    const out = fresh(`${model}-out`);
    const report = await convertCheckpoint(referencePath('models', model), out, { from: 'pytorch' });
    assert.equal(report.sourceFormat, model.endsWith('legacy-bin') ? 'pytorch-legacy' : 'pytorch-zip');
    assert.deepEqual(report.unknown, []);
    assert.deepEqual(
      report.dropped.map((k) => k.replace(/^.*\./, '')),
      ['position_ids'],
    );
    const got = SafetensorsFile.open(join(out, 'model.safetensors'));
    const want = SafetensorsFile.open(referenceWeights(model));
    try {
      const wantNames = want.names.filter((n) => !n.endsWith('position_ids')).sort();
      assert.deepEqual([...got.names].sort(), wantNames);
      for (const name of wantNames) {
        assert.deepEqual(got.info(name).shape, want.info(name).shape, name);
        assert.equal(got.info(name).dtype, 'F32');
        assert.ok(got.readBytes(name).equals(want.readBytes(name)), `${name}: bytes differ`);
      }
      assert.deepEqual(got.header.metadata, {
        format: 'pt',
        source: 'pytorch_model.bin',
        source_format: report.sourceFormat,
        dtype: 'float32',
        converted_by: 'tfjs-dpr convert',
      });
    } finally {
      got.close();
      want.close();
    }
    for (const f of ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
      assert.ok(readFileSync(join(out, f)).equals(readFileSync(referencePath('models', model, f))), f);
    }
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    const original = JSON.parse(readFileSync(referencePath('models', model, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(config, { ...original, torch_dtype: 'float32' });
    assertNoStaging(out);
  });
}

test('--dtype float16 halves the file and stores float32ToFloat16 of every weight', async () => {
  const out32 = fresh('f32');
  const out16 = fresh('f16');
  const src = referencePath('models', 'context_encoder_relkey');
  await convertCheckpoint(src, out32, { from: 'pytorch' });
  const report = await convertCheckpoint(src, out16, { from: 'pytorch', dtype: 'float16' });
  assert.equal(report.dtype, 'float16');
  const size32 = statSync(join(out32, 'model.safetensors')).size;
  const size16 = statSync(join(out16, 'model.safetensors')).size;
  assert.ok(Math.abs(size16 / size32 - 0.5) < 0.01, `float16 file is ${size16} bytes vs ${size32}`);
  const a = SafetensorsFile.open(join(out32, 'model.safetensors'));
  const b = SafetensorsFile.open(join(out16, 'model.safetensors'));
  for (const name of a.names) {
    assert.equal(b.info(name).dtype, 'F16');
    const full = a.readFloat32(name);
    const half = b.readFloat32(name); // widened to float32 on load
    const bits = b.readBytes(name);
    for (let i = 0; i < full.length; i++) {
      assert.equal(bits.readUInt16LE(2 * i), float32ToFloat16(full[i]!), `${name}[${i}] bits`);
      assert.equal(half[i], float16ToFloat32(float32ToFloat16(full[i]!)));
    }
  }
  a.close();
  b.close();
  assert.equal(JSON.parse(readFileSync(join(out16, 'config.json'), 'utf8')).torch_dtype, 'float16');
});

test('converting from model.safetensors (the default when present) drops position_ids and keeps the bytes', async () => {
  const out = fresh('from-st');
  const report = await convertCheckpoint(referencePath('models', 'reader'), out);
  assert.equal(report.sourceFormat, 'safetensors');
  assert.equal(report.architecture, 'DPRReader');
  const got = SafetensorsFile.open(join(out, 'model.safetensors'));
  const want = SafetensorsFile.open(referenceWeights('reader'));
  assert.equal(got.names.length, want.names.length - 1);
  for (const name of got.names) assert.ok(got.readBytes(name).equals(want.readBytes(name)), name);
  got.close();
  want.close();
});

test('a config that disagrees with the weights is a WeightLoadError naming the file and each mismatch; nothing is written', async () => {
  const src = copyModel('question_encoder');
  const config = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8'));
  writeFileSync(join(src, 'config.json'), JSON.stringify({ ...config, intermediate_size: 40, num_hidden_layers: 3 }));
  const out = fresh('mismatch-out');
  await assert.rejects(convertCheckpoint(src, out), (e: unknown) => {
    assert.ok(e instanceof WeightLoadError, String(e));
    assert.match(e.message, /pytorch_model\.bin does not match .*config\.json \(DPRQuestionEncoder\)/);
    assert.match(e.message, /missing \(16\): question_encoder\.bert_model\.encoder\.layer\.2\./);
    assert.match(e.message, /layer\.0\.intermediate\.dense\.weight: file has \[37, 32\], config needs \[40, 32\]/);
    return true;
  });
  assert.equal(existsSync(out), false);
  assertNoStaging(out);

  // A context-encoder checkpoint under a question-encoder config: the hint names both.
  const swapped = copyModel('context_encoder_proj');
  writeFileSync(
    join(swapped, 'config.json'),
    JSON.stringify({ ...JSON.parse(readFileSync(join(swapped, 'config.json'), 'utf8')), architectures: ['DPRQuestionEncoder'] }),
  );
  await assert.rejects(
    convertCheckpoint(swapped, fresh('swapped-out')),
    /look like a DPRContextEncoder checkpoint, but config\.json says DPRQuestionEncoder/,
  );
});

test('a truncated checkpoint fails with a WeightLoadError and leaves no output directory', async () => {
  const src = copyModel('question_encoder');
  const bin = join(src, 'pytorch_model.bin');
  const bytes = readFileSync(bin);
  writeFileSync(bin, bytes.subarray(0, bytes.length - 5000));
  const out = fresh('trunc-out');
  await assert.rejects(convertCheckpoint(src, out), (e: unknown) => e instanceof WeightLoadError && /pytorch_model\.bin/.test(e.message));
  assert.equal(existsSync(out), false);
  assertNoStaging(out);
});

test('a failure after writing has started removes the staging directory and leaves an existing OUT_DIR untouched', async () => {
  // Tensors are read while model.safetensors is being written; a flipped byte in the last storage
  // passes open() and fails its CRC-32 only then, mid-write.
  const src = copyModel('question_encoder');
  const bin = join(src, 'pytorch_model.bin');
  const zip = ZipReader.open(bin);
  const lastEntry = [...zip.entries.values()].filter((e) => e.name.includes('/data/')).sort((x, y) => y.dataOffset - x.dataOffset)[0]!;
  zip.close();
  const bytes = readFileSync(bin);
  bytes[lastEntry.dataOffset]! ^= 0xff;
  writeFileSync(bin, bytes);
  const out = fresh('late-out');
  mkdirSync(out);
  writeFileSync(join(out, 'keep.txt'), 'mine');
  await assert.rejects(
    convertCheckpoint(src, out),
    (e: unknown) => e instanceof WeightLoadError && /fails its CRC-32 check/.test(e.message),
  );
  assert.deepEqual(readdirSync(out), ['keep.txt']);
  assertNoStaging(out);
});

test('legacy gamma/beta names are renamed, unknown keys reported and left out, a missing architecture inferred', async () => {
  const src = fresh('gamma');
  mkdirSync(src);
  const config = JSON.parse(readFileSync(referencePath('models', 'question_encoder', 'config.json'), 'utf8'));
  delete config.architectures;
  writeFileSync(join(src, 'config.json'), JSON.stringify(config));
  const good = SafetensorsFile.open(referenceWeights('question_encoder'));
  const tensors: Array<{ name: string; dtype: SafetensorsDtype; shape: number[]; data: Uint8Array }> = good.names.map((name) => ({
    name: name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'),
    dtype: good.info(name).dtype,
    shape: good.info(name).shape,
    data: good.readBytes(name),
  }));
  tensors.push({ name: 'question_encoder.bert_model.pooler.dense.bias', dtype: 'F32', shape: [32], data: f32Bytes(new Array(32).fill(1)) });
  tensors.push({ name: 'question_encoder.classifier.weight', dtype: 'F32', shape: [2], data: f32Bytes([1, 2]) });
  const { tensors: specs, storages } = simpleTensors(tensors);
  writeLegacyCheckpoint(join(src, 'pytorch_model.bin'), specs, storages);
  const out = fresh('gamma-out');
  const report = await convertCheckpoint(src, out);
  assert.equal(report.architecture, 'DPRQuestionEncoder');
  assert.equal(report.renamed.length, 2 * 5);
  assert.ok(report.renamed.every((r) => /LayerNorm\.(gamma|beta)$/.test(r.from) && /LayerNorm\.(weight|bias)$/.test(r.to)));
  assert.deepEqual(report.unknown, ['question_encoder.classifier.weight']);
  assert.ok(report.dropped.includes('question_encoder.bert_model.pooler.dense.bias'));
  assert.match(report.warnings.join('\n'), /DPRQuestionEncoder was inferred/);
  assert.match(
    report.warnings.join('\n'),
    /1 key\(s\) that DPRQuestionEncoder does not use were left out: question_encoder\.classifier\.weight/,
  );
  const got = SafetensorsFile.open(join(out, 'model.safetensors'));
  const want = SafetensorsFile.open(referenceWeights('question_encoder'));
  assert.deepEqual([...got.names].sort(), want.names.filter((n) => !n.endsWith('position_ids')).sort());
  for (const name of got.names) assert.ok(got.readBytes(name).equals(want.readBytes(name)), name);
  got.close();
  want.close();
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).architectures, ['DPRQuestionEncoder']);
});

test('an existing OUT_DIR holding converted files is refused unless overwrite is set', async () => {
  const out = fresh('exists');
  await convertCheckpoint(referencePath('models', 'question_encoder'), out, { from: 'pytorch' });
  await assert.rejects(
    convertCheckpoint(referencePath('models', 'question_encoder'), out),
    (e: unknown) => e instanceof InputError && /already holds config\.json, model\.safetensors/.test(e.message),
  );
  const report = await convertCheckpoint(referencePath('models', 'question_encoder'), out, { overwrite: true, dtype: 'float16' });
  assert.equal(report.dtype, 'float16');
  assert.equal(
    SafetensorsFile.open(join(out, 'model.safetensors')).info('question_encoder.bert_model.embeddings.LayerNorm.bias').dtype,
    'F16',
  );
  assertNoStaging(out);
  await assert.rejects(convertCheckpoint(fresh('nowhere'), fresh('x')), ConfigError);
});

test('dpr convert: converts, prints a summary, and reports usage and load errors with exit codes', async () => {
  const out = fresh('cli-out');
  const ok = await runCli(['convert', referencePath('models', 'question_encoder-legacy-bin'), out, '--dtype', 'float16']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /converted .*pytorch_model\.bin \(pytorch-legacy, DPRQuestionEncoder\)/);
  assert.match(ok.stdout, /37 tensors, float16/);
  assert.match(ok.stdout, /dropped \(unused by HF\): question_encoder\.bert_model\.embeddings\.position_ids/);
  assert.equal(SafetensorsFile.open(join(out, 'model.safetensors')).header.metadata['source_format'], 'pytorch-legacy');

  const usage = await runCli(['convert', 'only-one', '--dtype', 'int8']);
  assert.equal(usage.code, 1); // one line, exit 1, like every other command (issue 15)
  assert.match(usage.stderr, /^dpr convert: --dtype must be one of float32, float16; got "int8"\.\n$/);

  const src = copyModel('question_encoder');
  writeFileSync(join(src, 'pytorch_model.bin'), 'garbage!');
  const bad = await runCli(['convert', src, fresh('cli-bad')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^dpr convert: pytorch_model\.bin: not a PyTorch checkpoint/);
});
