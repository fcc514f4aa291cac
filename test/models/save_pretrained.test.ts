/**
 * savePretrained → fromPretrained: every reference model written back as HF writes it (the same
 * safetensors keys, dtypes, shapes and bytes; the same config.json text), and the reloaded model
 * gives the same outputs as the original, every element of every case and field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DPRConfig, DPRError, InputError, setBackend, TFDPRQuestionEncoder, TFDPRReader } from '../../src/index.js';
import { SafetensorsFile } from '../../src/io/safetensors.js';
import { randomWeightArrays } from '../../src/models/random_weights.js';
import { ExpectedFile, referenceModels, type ReferenceModel } from '../helpers/model_cases.js';
import { referencePath } from '../helpers/reference.js';
import { loadReferenceModel } from './parity_runner.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dpr-save-'));
}

/** Every tensor of a safetensors file: dtype, shape and raw bytes, by name. */
function readAll(path: string): Map<string, { dtype: string; shape: number[]; bytes: Buffer }> {
  const file = SafetensorsFile.open(path);
  try {
    return new Map(
      file.names.map((name) => [name, { dtype: file.info(name).dtype, shape: file.info(name).shape, bytes: file.readBytes(name) }]),
    );
  } finally {
    file.close();
  }
}

/** Runs every case of a reference model; returns each output field's values by "case/field". */
function runCases(net: Awaited<ReturnType<typeof loadReferenceModel>>, model: ReferenceModel): Map<string, Float32Array> {
  const expected = new ExpectedFile(model.dir);
  const results = new Map<string, Float32Array>();
  try {
    for (const c of model.cases) {
      const inputs: Record<string, number[][]> = {};
      for (const name of c.inputs) inputs[name] = expected.inputMatrix(c.name, name);
      const out = (net as TFDPRReader).call(inputs as never, { output_hidden_states: true, output_attentions: true }) as unknown as Record<
        string,
        tf.Tensor | tf.Tensor[]
      >;
      for (const [field, value] of Object.entries(out)) {
        const tensors = Array.isArray(value) ? value : [value];
        tensors.forEach((t, i) => results.set(`${c.name}/${field}/${i}`, t.dataSync() as Float32Array));
      }
      tf.dispose(out as unknown as tf.TensorContainer);
    }
  } finally {
    expected.close();
  }
  return results;
}

test('savePretrained writes every reference model as HF does, and reloads with identical outputs', async (t) => {
  await setBackend('cpu');
  const models = referenceModels();
  assert.ok(models.length >= 5, `expected the reference models, found ${models.length}`);
  for (const model of models) {
    await t.test(model.name, async () => {
      const net = await loadReferenceModel(model);
      const dir = join(tempDir(), 'saved');
      const before = tf.memory().numTensors;
      await net.savePretrained(dir);
      assert.equal(tf.memory().numTensors, before, 'savePretrained leaked tensors');
      assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors']);

      assert.equal(readFileSync(join(dir, 'config.json'), 'utf8'), readFileSync(join(model.dir, 'config.json'), 'utf8'));
      const saved = readAll(join(dir, 'model.safetensors'));
      const reference = readAll(join(model.dir, 'model.safetensors'));
      assert.deepEqual([...saved.keys()].sort(), [...reference.keys()].sort());
      for (const [name, want] of reference) {
        const got = saved.get(name)!;
        assert.deepEqual([got.dtype, got.shape], [want.dtype, want.shape], name);
        assert.ok(got.bytes.equals(want.bytes), `${name}: the saved values differ from the checkpoint's`);
      }
      const file = SafetensorsFile.open(join(dir, 'model.safetensors'));
      assert.deepEqual(file.header.metadata, { format: 'pt' });
      file.close();

      const reloaded = await loadReferenceModel(model, dir);
      const a = runCases(net, model);
      const b = runCases(reloaded, model);
      assert.deepEqual([...b.keys()], [...a.keys()]);
      for (const [key, values] of a) assert.deepEqual(b.get(key), values, `${model.name}/${key} differs after the round trip`);
      net.dispose();
      reloaded.dispose();
    });
  }
});

test('a model read from the legacy pytorch_model.bin saves the same safetensors as the reference', async () => {
  await setBackend('cpu');
  const net = await TFDPRQuestionEncoder.fromPretrained(referencePath('models', 'question_encoder-legacy-bin'));
  const dir = join(tempDir(), 'saved');
  await net.savePretrained(dir);
  net.dispose();
  const saved = readAll(join(dir, 'model.safetensors'));
  const reference = readAll(referencePath('models', 'question_encoder', 'model.safetensors'));
  assert.deepEqual([...saved.keys()].sort(), [...reference.keys()].sort());
  for (const [name, want] of reference) assert.ok(saved.get(name)!.bytes.equals(want.bytes), name);
});

test('savePretrained of a model built from arrays names its architecture and keeps other files in the directory', async () => {
  await setBackend('cpu');
  const config = {
    vocab_size: 40,
    hidden_size: 8,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 12,
    max_position_embeddings: 10,
  };
  const net = TFDPRReader.fromWeights(config, randomWeightArrays(TFDPRReader.weightSpecs(new DPRConfig(config)), 3));
  const dir = join(tempDir(), 'model');
  mkdirSync(dir);
  writeFileSync(join(dir, 'vocab.txt'), '[PAD]\n');
  writeFileSync(join(dir, 'model.safetensors'), 'stale');
  await net.savePretrained(dir);
  assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors', 'vocab.txt']);
  assert.equal(readFileSync(join(dir, 'vocab.txt'), 'utf8'), '[PAD]\n');
  const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(json['architectures'], ['DPRReader']);
  assert.equal(json['model_type'], 'dpr');
  assert.equal(json['torch_dtype'], 'float32');
  assert.deepEqual(readdirSync(join(dir, '..')), ['model'], 'no temporary directory is left behind');

  const reloaded = await TFDPRReader.fromPretrained(dir);
  const input_ids = [[1, 5, 7, 2, 0]];
  const [x, y] = [net.call({ input_ids }), reloaded.call({ input_ids })];
  assert.deepEqual(y.start_logits.dataSync(), x.start_logits.dataSync());
  assert.deepEqual(y.relevance_logits.dataSync(), x.relevance_logits.dataSync());
  tf.dispose([x, y] as unknown as tf.TensorContainer);
  reloaded.dispose();

  net.dispose();
  await assert.rejects(
    net.savePretrained(join(tempDir(), 'gone')),
    (e: unknown) => e instanceof DPRError && /was disposed/.test(e.message),
  );
});

test('savePretrained refuses a path that is a file and leaves it alone', async () => {
  await setBackend('cpu');
  const net = await TFDPRQuestionEncoder.fromPretrained(referencePath('models', 'question_encoder'));
  const file = join(tempDir(), 'not-a-dir');
  writeFileSync(file, 'keep me');
  await assert.rejects(
    net.savePretrained(file),
    (e: unknown) => e instanceof InputError && /is a file; savePretrained needs a directory/.test(e.message),
  );
  assert.equal(readFileSync(file, 'utf8'), 'keep me');
  assert.equal(existsSync(`${file}.tmp`), false);
  net.dispose();
});
