// The training loop with a small stand-in encoder: resume continues exactly, nothing leaks,
// checkpoints and the loss record are written, bad settings are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BiEncoderTrainer, type TrainingEvent } from '../../src/training/trainer.js';
import { latestCheckpoint, readCheckpoint } from '../../src/training/checkpoint.js';
import { InMemorySamples } from '../../src/training/training_data.js';
import { DPRQuestionEncoderTokenizer } from '../../src/tokenizers/dpr_tokenizers.js';
import { InputError } from '../../src/errors.js';
import { referencePath } from '../helpers/reference.js';
import { FakeEncoder } from './fake_encoder.js';

await tf.setBackend('cpu');
const tokenizer = await DPRQuestionEncoderTokenizer.fromPretrained(referencePath('training', 'question_encoder'));

const WORDS = [
  'river',
  'mountain',
  'castle',
  'forest',
  'desert',
  'island',
  'bridge',
  'tower',
  'valley',
  'harbor',
  'glacier',
  'canyon',
  'meadow',
  'volcano',
];
const samples = new InMemorySamples(
  WORDS.map((w, i) => ({
    question: `where is the ${w}?`,
    answers: [w],
    positive_ctxs: [{ title: w, text: `the ${w} is near ${WORDS[(i + 3) % WORDS.length]}` }],
    negative_ctxs: [0, 1, 2].map((k) => ({ title: 'other', text: `${WORDS[(i + k + 5) % WORDS.length]} facts` })),
    hard_negative_ctxs: [0, 1].map((k) => ({ title: w, text: `not the ${WORDS[(i + k + 1) % WORDS.length]}` })),
  })),
);

function encoders(seed = 1) {
  return { q: new FakeEncoder(tokenizer, 'question_encoder', seed), c: new FakeEncoder(tokenizer, 'ctx_encoder', seed + 1) };
}

// 14 samples, batch 4 → 3 micro-batches per epoch; accumulation 2 → 1 update per epoch and a
// micro-batch carried into the next epoch, as DPR does.
const SETTINGS = {
  batchSize: 4,
  hardNegatives: 1,
  otherNegatives: 1,
  epochs: 4,
  lr: 0.05,
  warmupSteps: 1,
  gradAccumulation: 2,
  maxGradNorm: 1,
  weightDecay: 0.01,
  maxLength: 16,
  seed: 3,
  checkpointEvery: 1,
  devBatchSize: 5,
};

test('a run resumed from a checkpoint reproduces the uninterrupted run exactly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpr-trainer-'));
  try {
    const a = encoders();
    const full = new BiEncoderTrainer(a.q, a.c, samples, SETTINGS, samples);
    const events: TrainingEvent[] = [];
    const uninterrupted = await full.train({ outDir: join(dir, 'a'), onEvent: (e) => events.push(e) });
    assert.equal(full.totalSteps, 4);
    assert.equal(uninterrupted.steps.length, 4);
    assert.deepEqual(
      uninterrupted.steps.map((s) => s.lr),
      [0, 0.05, (0.05 * 2) / 3, 0.05 / 3],
    );
    assert.ok(events.some((e) => e.type === 'validation') && events.some((e) => e.type === 'checkpoint'));

    // Resume from the checkpoint at the end of epoch 1 (2 updates done, one micro-batch pending).
    const cp = join(dir, 'a', 'checkpoints', 'step-000002');
    const contents = readCheckpoint(cp);
    assert.deepEqual([contents.state.epoch, contents.state.iteration, contents.state.pendingMicroBatches], [2, 0, 1]);
    assert.ok(contents.pending.size > 0);
    const b = encoders(99);
    b.q.load(join(cp, 'question_encoder'));
    b.c.load(join(cp, 'context_encoder'));
    const resumed = await new BiEncoderTrainer(b.q, b.c, samples, SETTINGS, samples).train({ outDir: join(dir, 'b'), resume: contents });
    assert.deepEqual(resumed.steps, uninterrupted.steps);
    assert.deepEqual(resumed.validations, uninterrupted.validations);
    for (const [name, v] of a.q.parameters) assert.deepEqual(await b.q.parameters.get(name)!.data(), await v.data(), name);

    assert.equal(latestCheckpoint(join(dir, 'a', 'checkpoints')), join(dir, 'a', 'checkpoints', 'step-000004'));
    const csv = readFileSync(join(dir, 'a', 'loss.csv'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(csv[0], 'step,epoch,loss,lr,grad_norm');
    assert.equal(csv.length, 5);
    assert.match(readFileSync(join(dir, 'a', 'loss.svg'), 'utf8'), /^<svg[^]*<polyline[^]*<circle[^]*<\/svg>/);
    assert.ok(!existsSync(join(dir, 'a', 'checkpoints', 'step-000004.partial')));

    const other = encoders();
    await assert.rejects(
      new BiEncoderTrainer(other.q, other.c, samples, { ...SETTINGS, seed: 4 }).train({ resume: contents }),
      (e: unknown) => e instanceof InputError && /trained with seed = 3, this run has 4/.test((e as Error).message),
    );
    for (const e of [a, b, other]) {
      e.q.dispose();
      e.c.dispose();
    }
    full.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('training steps do not leak tensors', async () => {
  const e = encoders();
  const trainer = new BiEncoderTrainer(e.q, e.c, samples, { ...SETTINGS, gradAccumulation: 1, epochs: 1, checkpointEvery: 0 });
  await trainer.train();
  trainer.dispose();
  const before = tf.memory().numTensors;
  const again = new BiEncoderTrainer(e.q, e.c, samples, { ...SETTINGS, gradAccumulation: 1, epochs: 5, checkpointEvery: 0 }, samples);
  const counts: number[] = [];
  await again.train({
    onEvent: (ev) => {
      if (ev.type === 'step') counts.push(tf.memory().numTensors);
    },
  });
  assert.equal(new Set(counts.slice(1)).size, 1, `tensor counts after each step: ${counts.join(' ')}`);
  again.dispose();
  assert.equal(tf.memory().numTensors, before);
  e.q.dispose();
  e.c.dispose();
});

test('settings are checked before training', () => {
  const e = encoders();
  assert.throws(() => new BiEncoderTrainer(e.q, e.c, samples, { batchSize: 15 }), /batchSize 15 is larger than the 14 training samples/);
  assert.throws(() => new BiEncoderTrainer(e.q, e.c, samples, { gradAccumulation: 0 }), /gradAccumulation must be an integer ≥ 1, found 0/);
  assert.throws(() => new BiEncoderTrainer(e.q, e.c, samples, { lr: -1 }), /lr must be a finite number ≥ 0/);
  e.q.dispose();
  e.c.dispose();
});
