// 100 training updates of the small reference encoders: the tensor count is the same after every
// update, and disposing the trainer and the encoders returns it to where it started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '../../src/backend.js';
import { loadTrainableEncoder } from '../../src/training/dpr_trainable.js';
import { BiEncoderTrainer } from '../../src/training/trainer.js';
import { InMemorySamples } from '../../src/training/training_data.js';
import { referencePath } from '../helpers/reference.js';
import { loadReferenceRun } from './reference_run.js';

test('100 training updates leak no tensors', async () => {
  await setBackend('wasm');
  const run = loadReferenceRun();
  run.expected.close();
  const start = tf.memory().numTensors;
  const question = await loadTrainableEncoder(referencePath('training', 'question_encoder'), 'DPRQuestionEncoder');
  const context = await loadTrainableEncoder(referencePath('training', 'context_encoder'), 'DPRContextEncoder');
  const samples = new InMemorySamples(run.batch.samples);
  // batch 1 × 3 samples = 3 updates per epoch; validation after each epoch runs too.
  const trainer = new BiEncoderTrainer(
    question,
    context,
    samples,
    { batchSize: 1, epochs: 34, lr: 1e-4, warmupSteps: 5, maxLength: 32, devBatchSize: 3 },
    samples,
  );
  const counts: number[] = [];
  const summary = await trainer.train({
    onEvent: (e) => {
      if (e.type === 'step') counts.push(tf.memory().numTensors);
    },
  });
  assert.equal(summary.globalStep, 102);
  assert.equal(new Set(counts.slice(1)).size, 1, `tensors after each update: ${[...new Set(counts)].join(', ')}`);
  trainer.dispose();
  question.dispose();
  context.dispose();
  assert.equal(tf.memory().numTensors, start);
});
