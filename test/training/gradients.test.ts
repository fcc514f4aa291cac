/**
 * Every gradient src/training/gradients.ts registers, on cpu and wasm, with and without the native
 * element-wise kernels: tf.grad against central differences in float64 of the same function
 * evaluated in float32 (h = 1e-2 on smooth functions), and the native GELU / LayerNorm gradients
 * against the gradients of the composed tfjs ops they replace.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingGradients } from '../../src/training/gradients.js';
import { addLayerNorm, addLayerNormComposed, gelu, geluErfComposed, geluTanhComposed } from '../../src/kernels/fused_elementwise.js';
import { nativeKernelStatus, registerNativeKernels } from '../../src/kernels/native_kernels.js';
import { seededRandom } from '../../src/models/random_weights.js';
import { expectAllClose } from '../helpers/all_close.js';

registerTrainingGradients();

type Fn = (...xs: tf.Tensor[]) => tf.Tensor;

function randomValues(n: number, seed: number, scale = 1): Float32Array {
  const next = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale);
}

/** Checks tf.grads(Σ w·f(xs)) against central differences, every element of every input. */
async function checkNumerically(
  label: string,
  f: Fn,
  shapes: number[][],
  options: { seed?: number; h?: number; tol?: number; positive?: boolean } = {},
) {
  const { seed = 1, h = 1e-2, tol = 2e-3 } = options;
  const inputs = shapes.map((s, i) => {
    const values = randomValues(
      s.reduce((a, b) => a * b, 1),
      seed + i,
    );
    return tf.tensor(options.positive ? values.map((v) => Math.abs(v) + 0.5) : values, s);
  });
  const outShape = f(...inputs).shape;
  const weights = tf.tensor(
    randomValues(
      outShape.reduce((a, b) => a * b, 1),
      seed + 99,
    ),
    outShape,
  );
  const objective = (...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights));
  const grads = tf.grads(objective)(inputs);
  for (let k = 0; k < inputs.length; k++) {
    const base = await inputs[k]!.data();
    const numeric = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number) =>
        tf.tidy(() => {
          const moved = Float32Array.from(base);
          moved[i] = moved[i]! + delta;
          const xs = inputs.map((x, j) => (j === k ? tf.tensor(moved, x.shape) : x));
          return objective(...xs).dataSync()[0]!;
        });
      numeric[i] = (at(h) - at(-h)) / (2 * h);
    }
    const scale = Math.max(1, ...Array.from(numeric, Math.abs));
    expectAllClose(await grads[k]!.data(), numeric, { atol: tol * scale, label: `${label} d/dx${k}` });
  }
  tf.dispose([...inputs, weights, ...grads]);
}

const CASES: [string, Fn, number[][], { positive?: boolean }?][] = [
  ['add (broadcast)', (a, b) => tf.add(a!, b!), [[3, 4], [4]]],
  [
    'sub (broadcast)',
    (a, b) => tf.sub(a!, b!),
    [
      [2, 3, 4],
      [3, 1],
    ],
  ],
  [
    'mul (broadcast)',
    (a, b) => tf.mul(a!, b!),
    [
      [3, 4],
      [1, 4],
    ],
  ],
  [
    'div',
    (a, b) => tf.div(a!, b!),
    [
      [3, 4],
      [3, 4],
    ],
    { positive: true },
  ],
  ['squaredDifference', (a, b) => tf.squaredDifference(a!, b!), [[5], [5]]],
  ['pow', (a) => tf.pow(a!, 3), [[6]]],
  ['neg, square, exp, log', (a) => tf.log(tf.add(tf.exp(tf.neg(a!)), tf.square(a!))), [[7]]],
  ['sqrt, rsqrt', (a) => tf.add(tf.sqrt(a!), tf.rsqrt(a!)), [[6]], { positive: true }],
  ['erf, tanh, sigmoid, softplus', (a) => tf.add(tf.add(tf.erf(a!), tf.tanh(a!)), tf.add(tf.sigmoid(a!), tf.softplus(a!))), [[8]]],
  [
    'relu, relu6, leakyRelu, clip',
    (a) => tf.add(tf.add(tf.relu(tf.mul(a!, 3)), tf.relu6(tf.mul(a!, 9))), tf.add(tf.leakyRelu(a!, 0.1), tf.clipByValue(a!, -0.5, 0.5))),
    [[9]],
  ],
  ['sum, mean', (a) => tf.add(tf.sum(a!, 1, true), tf.mean(a!, [0, 1])), [[3, 4]]],
  ['reshape, transpose, slice', (a) => tf.slice(tf.transpose(tf.reshape(a!, [2, 3, 4]), [2, 0, 1]), [1, 0, 1], [2, 2, 2]), [[6, 4]]],
  ['softmax', (a) => tf.softmax(a!, -1), [[3, 5]]],
  [
    'matMul (all transposes)',
    (a, b) =>
      tf.add(
        tf.add(tf.matMul(a!, b!), tf.matMul(a!, b!, true, true)),
        tf.add(tf.matMul(tf.transpose(a!), b!, true, false), tf.matMul(a!, tf.transpose(b!), false, true)),
      ),
    [
      [3, 3],
      [3, 3],
    ],
  ],
  [
    'batch matMul',
    (a, b) => tf.matMul(a!, b!, false, true),
    [
      [2, 3, 4],
      [2, 5, 4],
    ],
  ],
  ['fused matMul + bias + relu', (a, b, c) => tf.fused.matMul({ a: a!, b: b!, bias: c!, activation: 'relu' }), [[3, 4], [4, 2], [2]]],
  [
    'concat, stack',
    (a, b) => tf.add(tf.concat([a!, b!], 1), tf.reshape(tf.stack([tf.slice(a!, [0, 0], [2, 2]), tf.slice(b!, [0, 0], [2, 2])], 1), [2, 4])),
    [
      [2, 2],
      [2, 2],
    ],
  ],
  ['maximum, minimum', (a, b) => tf.add(tf.maximum(a!, b!), tf.minimum(a!, tf.mul(b!, 2))), [[6], [6]]],
];

async function gatherCase() {
  // Repeated indices must add up; axis 0 (embeddings) and axis 1.
  const table = tf.tensor2d(randomValues(12, 5), [4, 3]);
  const ids = tf.tensor1d([2, 0, 2, 3, 2], 'int32');
  const dy = tf.tensor2d(randomValues(15, 6), [5, 3]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), dy)))(table);
  const d = await dy.data();
  const expected = new Float64Array(12);
  [2, 0, 2, 3, 2].forEach((row, i) => {
    for (let c = 0; c < 3; c++) expected[row * 3 + c]! += d[i * 3 + c]!;
  });
  expectAllClose(await g.data(), expected, { atol: 1e-6, label: 'gather axis 0' });
  await checkNumerically('gather axis 1', (a) => tf.gather(a!, tf.tensor1d([1, 1, 0], 'int32'), 1), [[2, 3, 2]]);
  tf.dispose([table, ids, dy, g]);
}

async function nativeAgainstComposed() {
  const x = tf.tensor2d(randomValues(6 * 8, 11, 3), [6, 8]);
  const r = tf.tensor2d(randomValues(6 * 8, 12), [6, 8]);
  const gamma = tf.tensor1d(randomValues(8, 13));
  const beta = tf.tensor1d(randomValues(8, 14));
  const w = tf.tensor2d(randomValues(6 * 8, 15), [6, 8]);
  for (const [form, composed] of [
    ['erf', geluErfComposed],
    ['tanh', geluTanhComposed],
  ] as const) {
    const [a] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(gelu(v, form), w)))([x]);
    const [b] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(composed(v), w)))([x]);
    expectAllClose(await a!.data(), await b!.data(), { atol: 2e-6, label: `gelu ${form}` });
    tf.dispose([a!, b!]);
  }
  const f = (ln: typeof addLayerNorm) => (v: tf.Tensor, res: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(ln(v as tf.Tensor2D, res as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-12), w));
  const native = tf.grads(f(addLayerNorm))([x, r, gamma, beta]);
  const composed = tf.grads(f(addLayerNormComposed))([x, r, gamma, beta]);
  for (let i = 0; i < 4; i++)
    expectAllClose(await native[i]!.data(), await composed[i]!.data(), { atol: 2e-5, label: `addLayerNorm input ${i}` });
  tf.dispose([...native, ...composed]);
  await checkNumerically('gelu erf', (v) => gelu(v!, 'erf'), [[10]]);
  await checkNumerically('gelu tanh', (v) => gelu(v!, 'tanh'), [[10]]);
  await checkNumerically(
    'addLayerNorm',
    (v, res, g, b) => addLayerNorm(v as tf.Tensor2D, res as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5),
    [[3, 5], [3, 5], [5], [5]],
  );
  tf.dispose([x, r, gamma, beta, w]);
}

for (const backend of ['cpu', 'wasm']) {
  test(`gradients on ${backend}: central differences for every registered kernel`, async () => {
    await tf.setBackend(backend);
    for (const [label, f, shapes, opts] of CASES) await checkNumerically(label, f, shapes, opts);
    await gatherCase();
  });

  test(`gradients on ${backend}: native GELU and LayerNorm kernels match the composed ops' gradients`, async (t) => {
    await tf.setBackend(backend);
    await registerNativeKernels();
    if (!(nativeKernelStatus().elementwise ?? []).includes(backend))
      t.diagnostic('native element-wise kernels not built: composed ops checked only');
    await nativeAgainstComposed();
    assert.ok(true);
  });
}
