import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { biEncoderNllLoss, countCorrect } from '../../src/training/loss.js';
import { InputError } from '../../src/errors.js';
import { expectAllClose } from '../helpers/all_close.js';

await tf.setBackend('cpu');

/** Float64 re-computation: mean over rows of −log_softmax(Q·Cᵀ)[positive], and its gradient w.r.t. Q. */
function reference(q: number[][], c: number[][], positives: number[]) {
  const scores = q.map((qi) => c.map((cj) => qi.reduce((s, x, k) => s + x * cj[k]!, 0)));
  let loss = 0;
  const dq = q.map((qi) => qi.map(() => 0));
  scores.forEach((row, i) => {
    const max = Math.max(...row);
    const z = row.reduce((s, x) => s + Math.exp(x - max), 0);
    loss += -(row[positives[i]!]! - max - Math.log(z)) / q.length;
    row.forEach((x, j) => {
      const g = (Math.exp(x - max) / z - (j === positives[i] ? 1 : 0)) / q.length;
      c[j]!.forEach((cv, k) => (dq[i]![k]! += g * cv));
    });
  });
  return { scores, loss, dq };
}

test('BiEncoderNllLoss: scores Q·Cᵀ, mean NLL at each positive, and its gradient', async () => {
  const q = [
    [0.5, -1, 2],
    [1.5, 0.25, -0.5],
  ];
  const c = [
    [1, 0, 0.5],
    [0.2, 0.3, -1],
    [-1, 2, 0],
    [0.5, 0.5, 0.5],
  ];
  const positives = [0, 2];
  const expected = reference(q, c, positives);
  const qt = tf.tensor2d(q);
  const ct = tf.tensor2d(c);
  const before = tf.memory().numTensors;
  const { loss, scores } = biEncoderNllLoss(qt, ct, positives);
  assert.equal(tf.memory().numTensors, before + 2);
  expectAllClose(await scores.data(), expected.scores.flat(), { atol: 1e-6, label: 'scores' });
  assert.ok(Math.abs((await loss.data())[0]! - expected.loss) < 1e-6);
  assert.equal(countCorrect(await scores.data(), 4, positives), 1);
  const dq = tf.grad((x: tf.Tensor) => biEncoderNllLoss(x as tf.Tensor2D, ct, positives).loss)(qt);
  expectAllClose(await dq.data(), expected.dq.flat(), { atol: 1e-6, label: 'dLoss/dQ' });
  tf.dispose([qt, ct, loss, scores, dq]);
});

test('BiEncoderNllLoss rejects positives out of range and mismatched widths', () => {
  const q = tf.zeros([2, 3]) as tf.Tensor2D;
  const c = tf.zeros([3, 3]) as tf.Tensor2D;
  assert.throws(
    () => biEncoderNllLoss(q, c, [0, 3]),
    (e: unknown) => e instanceof InputError && /positiveIndices\[1\] must be an integer in \[0, 3\), found 3/.test((e as Error).message),
  );
  assert.throws(() => biEncoderNllLoss(q, c, [0]), /one entry per question \(2\), found 1/);
  assert.throws(() => biEncoderNllLoss(q, tf.zeros([3, 4]) as tf.Tensor2D, [0, 1]), /same width, found 3 and 4/);
  tf.dispose([q, c]);
});
