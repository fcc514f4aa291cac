// Schedule, clipping and AdamW against float64 re-computations of the PyTorch/DPR formulas.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { linearScheduleFactor, linearScheduleLr } from '../../src/training/schedule.js';
import { clipGradNorm } from '../../src/training/clip.js';
import { AdamW, dprNoDecay } from '../../src/training/adamw.js';
import { expectAllClose } from '../helpers/all_close.js';

await tf.setBackend('cpu');

test('DPR linear schedule: step 0 is 0, warmup rises, decay reaches the 1e-7 floor', () => {
  // The reference run: lr 1e-4, warmup 1, total 3 → 0, 1e-4, 5e-5 (batch.json "lrs").
  assert.deepEqual(
    [0, 1, 2].map((s) => linearScheduleLr(1e-4, s, 1, 3)),
    [0, 1e-4, 5e-5],
  );
  assert.equal(linearScheduleFactor(50, 100, 1000), 0.5);
  assert.equal(linearScheduleFactor(100, 100, 1000), 1);
  assert.equal(linearScheduleFactor(550, 100, 1000), 0.5);
  assert.equal(linearScheduleFactor(1000, 100, 1000), 1e-7);
  assert.equal(linearScheduleFactor(0, 0, 10), 1);
});

test('clipGradNorm scales all gradients together by max_norm / (total + 1e-6), never up', async () => {
  const a = tf.tensor1d([3, 0]);
  const b = tf.tensor2d([[0, 4]]);
  const grads = new Map<string, tf.Tensor>([
    ['a', a],
    ['b', b],
  ]);
  const before = tf.memory().numTensors;
  const clipped = clipGradNorm(grads, 1);
  assert.equal(tf.memory().numTensors, before + 3);
  const coef = 1 / (5 + 1e-6);
  assert.ok(Math.abs((await clipped.totalNorm.data())[0]! - 5) < 1e-6);
  expectAllClose(await clipped.grads.get('a')!.data(), [3 * coef, 0], { atol: 1e-7, label: 'a' });
  expectAllClose(await clipped.grads.get('b')!.data(), [0, 4 * coef], { atol: 1e-7, label: 'b' });
  const loose = clipGradNorm(grads, 10);
  expectAllClose(await loose.grads.get('b')!.data(), [0, 4], { atol: 0, label: 'unclipped' });
  tf.dispose([a, b, clipped.totalNorm, ...clipped.grads.values(), loose.totalNorm, ...loose.grads.values()]);
});

/** torch.optim.AdamW in float64, one parameter. */
function adamwReference(p: number[], grads: number[][], lrs: number[], wd: number): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  p = [...p];
  grads.forEach((g, s) => {
    const t = s + 1;
    const lr = lrs[s]!;
    for (let i = 0; i < p.length; i++) {
      p[i]! *= 1 - lr * wd;
      m[i] = m[i]! + (1 - b1) * (g[i]! - m[i]!);
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - b2 ** t) + eps;
      p[i]! -= (lr / (1 - b1 ** t)) * (m[i]! / denom);
    }
  });
  return p;
}

test('AdamW follows torch.optim.AdamW; decay skips bias and LayerNorm.weight; no grad → untouched', async () => {
  const init = [0.5, -1.25, 2, 0.01];
  const grads = [
    [0.1, -0.2, 0.3, 1e-3],
    [0.05, 0.2, -0.1, 0],
    [-0.3, 0.01, 0.2, 2],
  ];
  const lrs = [0, 1e-2, 5e-3];
  const names = ['enc.dense.weight', 'enc.dense.bias', 'enc.LayerNorm.weight', 'enc.unused.weight'];
  const params = new Map(names.map((n) => [n, tf.variable(tf.tensor1d(init), true, n)]));
  const optimizer = new AdamW(params, { weightDecay: 0.1 });
  for (let s = 0; s < 3; s++) {
    const g = new Map(names.slice(0, 3).map((n) => [n, tf.tensor1d(grads[s]!)]));
    optimizer.step(g, lrs[s]!);
    tf.dispose([...g.values()]);
  }
  expectAllClose(await params.get(names[0]!)!.data(), adamwReference(init, grads, lrs, 0.1), { atol: 1e-6, label: 'decayed' });
  for (const n of names.slice(1, 3))
    expectAllClose(await params.get(n)!.data(), adamwReference(init, grads, lrs, 0), { atol: 1e-6, label: n });
  expectAllClose(await params.get(names[3]!)!.data(), Float32Array.from(init), { atol: 0, label: 'no gradient' });
  assert.deepEqual(names.map(dprNoDecay), [false, true, true, false]);
  optimizer.dispose();
  tf.dispose([...params.values()]);
});

test('AdamW state exported and imported continues exactly like the original', async () => {
  const make = () => new Map([['w', tf.variable(tf.tensor1d([1, 2, 3]), true)]]);
  const g = (s: number) => new Map([['w', tf.tensor1d([0.1 * s, -0.2, 0.3 / s])]]);
  const run = (opt: AdamW, steps: number[]) =>
    steps.forEach((s) => {
      const gs = g(s);
      opt.step(gs, 1e-2);
      tf.dispose([...gs.values()]);
    });
  const aParams = make();
  const a = new AdamW(aParams, { weightDecay: 0.01 });
  run(a, [1, 2, 3, 4]);
  const bParams = make();
  const b = new AdamW(bParams, { weightDecay: 0.01 });
  run(b, [1, 2]);
  const state = await b.exportState();
  const cParams = new Map([['w', tf.variable(tf.tensor1d(await bParams.get('w')!.data()), true)]]);
  const c = new AdamW(cParams, { weightDecay: 0.01 });
  c.importState(state);
  assert.deepEqual(state.steps, { w: 2 });
  run(c, [3, 4]);
  expectAllClose(await cParams.get('w')!.data(), await aParams.get('w')!.data(), { atol: 0, label: 'resumed' });
  for (const o of [a, b, c]) o.dispose();
  tf.dispose([...aParams.values(), ...bParams.values(), ...cParams.values()]);
});

test('AdamW step and dispose leave no tensors behind', () => {
  const params = new Map([['w', tf.variable(tf.ones([4, 4]), true)]]);
  const optimizer = new AdamW(params, { weightDecay: 0.01 });
  const grads = new Map([['w', tf.ones([4, 4])]]);
  optimizer.step(grads, 1e-3);
  const after = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) optimizer.step(grads, 1e-3);
  assert.equal(tf.memory().numTensors, after);
  optimizer.dispose();
  assert.equal(tf.memory().numTensors, after - 2);
  tf.dispose([...grads.values(), ...params.values()]);
});
