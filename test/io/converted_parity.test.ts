/**
 * The converted directories pass the same HF parity cases as the originals: every reference
 * model converted from pytorch_model.bin (the legacy-format copy included) is loaded with
 * `fromPretrained(OUT_DIR)` and checked field by field by the shared parity runner. A float16
 * conversion loads as float32 and stays within float16's rounding of the reference.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, TFDPRQuestionEncoder } from '../../src/index.js';
import { convertCheckpoint } from '../../src/io/convert.js';
import { expectAllClose } from '../helpers/all_close.js';
import { ExpectedFile, referenceModels } from '../helpers/model_cases.js';
import { referencePath } from '../helpers/reference.js';
import { checkModelParity, PARITY_ATOL } from '../models/parity_runner.js';

const root = mkdtempSync(join(tmpdir(), 'dpr-converted-parity-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('models converted from pytorch_model.bin pass the HF parity cases', async (t) => {
  await setBackend('wasm');
  const models = referenceModels();
  assert.ok(models.length >= 5, `expected the reference models, found ${models.length}`);
  const runs = models.map((m) => ({ model: m, source: m.dir, label: m.name }));
  // The legacy-format checkpoint holds the question_encoder's weights, so it must pass its cases.
  const question = models.find((m) => m.name === 'question_encoder')!;
  runs.push({ model: question, source: referencePath('models', 'question_encoder-legacy-bin'), label: 'question_encoder-legacy-bin' });
  for (const { model, source, label } of runs) {
    await t.test(label, async (st) => {
      const out = join(root, label);
      const report = await convertCheckpoint(source, out, { from: 'pytorch' });
      assert.equal(report.sourceFormat, label.endsWith('legacy-bin') ? 'pytorch-legacy' : 'pytorch-zip');
      const worst = await checkModelParity(model, out, (line) => st.diagnostic(line));
      assert.ok(worst <= PARITY_ATOL);
    });
  }
});

test('a float16 conversion loads with float32 compute and stays within float16 rounding of HF', async () => {
  await setBackend('wasm');
  const out = join(root, 'question_encoder-f16');
  await convertCheckpoint(referencePath('models', 'question_encoder'), out, { from: 'pytorch', dtype: 'float16' });
  const model = await TFDPRQuestionEncoder.fromPretrained(out);
  const expected = new ExpectedFile(referencePath('models', 'question_encoder'));
  try {
    const ids = expected.inputMatrix('texts', 'input_ids');
    const mask = expected.inputMatrix('texts', 'attention_mask');
    const result = model.call({ input_ids: ids, attention_mask: mask });
    try {
      assert.equal(result.pooler_output.dtype, 'float32');
      const want = expected.output('texts', 'pooler_output');
      const got = result.pooler_output.dataSync() as Float32Array;
      // Not bit-parity: float16 weights round each value by up to 2^-11 relative (observed worst 2.3e-3).
      const report = expectAllClose(got, want.values as Float32Array, { atol: 1e-2, label: 'float16 pooler_output', shape: want.shape });
      assert.ok(report.maxAbsDiff > 0, 'float16 weights should not reproduce float32 outputs exactly');
    } finally {
      tf.dispose(result as unknown as tf.TensorContainer);
    }
  } finally {
    expected.close();
    model.dispose();
  }
});
