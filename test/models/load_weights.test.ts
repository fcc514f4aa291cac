/**
 * Loading checkpoints: every missing, unexpected or mis-shaped weight is named in one error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, TFDPRContextEncoder, TFDPRQuestionEncoder, WeightLoadError, setBackend } from '../../src/index.js';
import { float32ToFloat16 } from '../../src/io/float16.js';
import { SafetensorsFile, writeSafetensors, type TensorToWrite } from '../../src/io/safetensors.js';
import { referencePath } from '../helpers/reference.js';

function copyModel(mutate: (tensors: TensorToWrite[]) => TensorToWrite[]): string {
  const src = referencePath('models', 'question_encoder');
  const dir = mkdtempSync(join(tmpdir(), 'dpr-load-'));
  copyFileSync(join(src, 'config.json'), join(dir, 'config.json'));
  const file = SafetensorsFile.open(join(src, 'model.safetensors'));
  const tensors: TensorToWrite[] = file.names.map((name) => ({
    name,
    dtype: file.info(name).dtype,
    shape: file.info(name).shape,
    data: file.readBytes(name),
  }));
  file.close();
  writeSafetensors(join(dir, 'model.safetensors'), mutate(tensors));
  return dir;
}

test('a checkpoint with missing, extra and mis-shaped weights fails with all of them named', async () => {
  await setBackend('cpu');
  const dir = copyModel((tensors) => {
    const kept = tensors.filter((t) => !t.name.endsWith('layer.1.output.dense.bias') && !t.name.endsWith('embeddings.LayerNorm.weight'));
    kept.push({ name: 'question_encoder.bert_model.extra.weight', dtype: 'F32', shape: [1], data: new Uint8Array(4) });
    const i = kept.findIndex((t) => t.name.endsWith('layer.0.attention.self.query.bias'));
    kept[i] = { ...kept[i]!, shape: [31], data: new Uint8Array(31 * 4) };
    return kept;
  });
  await assert.rejects(TFDPRQuestionEncoder.fromPretrained(dir), (e: unknown) => {
    assert.ok(e instanceof WeightLoadError);
    assert.match(e.message, /missing \(2\): .*question_encoder\.bert_model\.embeddings\.LayerNorm\.weight/);
    assert.match(e.message, /question_encoder\.bert_model\.encoder\.layer\.1\.output\.dense\.bias/);
    assert.match(e.message, /unexpected \(1\): question_encoder\.bert_model\.extra\.weight/);
    assert.match(
      e.message,
      /mis-shaped \(1\): question_encoder\.bert_model\.encoder\.layer\.0\.attention\.self\.query\.bias: file has \[31\], config needs \[32\]/,
    );
    return true;
  });
});

test('position_ids buffers and pooler weights are skipped; float16 weights load as float32', async () => {
  await setBackend('cpu');
  const toHalf = (t: TensorToWrite): TensorToWrite => {
    if (t.dtype !== 'F32') return t;
    const bytes = t.data as Uint8Array;
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const half = new Uint16Array(floats.length).map((_, i) => float32ToFloat16(floats[i]!));
    return { ...t, dtype: 'F16', data: new Uint8Array(half.buffer) };
  };
  const dir = copyModel((tensors) => [
    ...tensors.map(toHalf),
    { name: 'question_encoder.bert_model.pooler.dense.weight', dtype: 'F32', shape: [2], data: new Uint8Array(8) },
  ]);
  const full = await TFDPRQuestionEncoder.fromPretrained(referencePath('models', 'question_encoder'));
  const half = await TFDPRQuestionEncoder.fromPretrained(dir);
  const input_ids = [[101, 2054, 2003, 1996, 3007, 102]];
  const a = full.call({ input_ids });
  const b = half.call({ input_ids });
  assert.equal(b.pooler_output.dtype, 'float32');
  const x = a.pooler_output.dataSync();
  const y = b.pooler_output.dataSync();
  const worst = Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i]!)));
  assert.ok(worst > 0 && worst < 0.05, `float16 weights change outputs by rounding only (max |diff| ${worst})`);
  a.pooler_output.dispose();
  b.pooler_output.dispose();
  full.dispose();
  half.dispose();
});

test('wrong model class and missing weights file give clear errors', async () => {
  await setBackend('cpu');
  await assert.rejects(
    TFDPRContextEncoder.fromPretrained(referencePath('models', 'question_encoder')),
    (e: unknown) =>
      e instanceof ConfigError && /saved from DPRQuestionEncoder, not DPRContextEncoder; load it with TFDPRQuestionEncoder/.test(e.message),
  );
  const dir = mkdtempSync(join(tmpdir(), 'dpr-load-'));
  copyFileSync(referencePath('models', 'question_encoder', 'config.json'), join(dir, 'config.json'));
  await assert.rejects(
    TFDPRQuestionEncoder.fromPretrained(dir),
    (e: unknown) => e instanceof WeightLoadError && /has neither model\.safetensors nor pytorch_model\.bin/.test(e.message),
  );
  writeFileSync(join(dir, 'model.safetensors'), Buffer.from([1, 2, 3]));
  await assert.rejects(
    TFDPRQuestionEncoder.fromPretrained(dir),
    (e: unknown) => e instanceof WeightLoadError && /too short/.test(e.message),
  );
});

test('a directory with only pytorch_model.bin (legacy torch format) loads directly and matches HF', async () => {
  const { checkModelParity } = await import('./parity_runner.js');
  const { referenceModels } = await import('../helpers/model_cases.js');
  await setBackend('wasm');
  const reference = referenceModels().find((m) => m.name === 'question_encoder')!;
  const worst = await checkModelParity(reference, referencePath('models', 'question_encoder-legacy-bin'), () => {});
  assert.ok(worst <= 1e-4);
});
