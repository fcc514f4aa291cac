/**
 * End to end: the small reference encoders fine-tuned for 200 updates on a synthetic retrieval task
 * built from the sample corpus (test/training/synthetic_task.ts); DPR's dev average rank must fall
 * well below where it starts. The curve is printed (numbers in the report of issue 18).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setBackend } from '../../src/backend.js';
import { loadTrainableEncoder } from '../../src/training/dpr_trainable.js';
import { BiEncoderTrainer } from '../../src/training/trainer.js';
import { InMemorySamples } from '../../src/training/training_data.js';
import { referencePath } from '../helpers/reference.js';
import { syntheticTask } from './synthetic_task.js';

test('fine-tuning the small reference encoders improves the dev average rank', async (t) => {
  await setBackend('wasm');
  const { train, dev } = syntheticTask();
  const question = await loadTrainableEncoder(referencePath('training', 'question_encoder'), 'DPRQuestionEncoder');
  const context = await loadTrainableEncoder(referencePath('training', 'context_encoder'), 'DPRContextEncoder');
  const trainer = new BiEncoderTrainer(
    question,
    context,
    new InMemorySamples(train),
    {
      batchSize: 16,
      epochs: 20,
      lr: 1e-3,
      warmupSteps: 10,
      maxGradNorm: 2,
      maxLength: 40,
      seed: 42,
      devBatchSize: 64,
    },
    new InMemorySamples(dev),
  );
  try {
    const before = trainer.validate();
    const curve = [`before: average rank ${before.averageRank.toFixed(2)} of ${dev.length * 2} dev passages, NLL ${before.nll.toFixed(3)}`];
    const summary = await trainer.train({
      onEvent: (e) => {
        if (e.type === 'validation')
          curve.push(`epoch ${e.epoch + 1} (update ${e.step}): average rank ${e.averageRank.toFixed(2)}, NLL ${e.nll.toFixed(3)}`);
      },
    });
    for (const line of curve) t.diagnostic(line);
    assert.equal(summary.globalStep, 200);
    const after = summary.validations[summary.validations.length - 1]!;
    assert.ok(after.averageRank < 0.6 * before.averageRank, `average rank ${before.averageRank} → ${after.averageRank}`);
    assert.ok(after.nll < before.nll, `dev NLL ${before.nll} → ${after.nll}`);
    const losses = summary.steps.map((s) => s.loss);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(losses.slice(-20)) < 0.7 * mean(losses.slice(0, 20)), 'training loss falls');
  } finally {
    trainer.dispose();
    question.dispose();
    context.dispose();
  }
});
