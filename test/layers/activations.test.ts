/**
 * Each hidden_act against HF's formula, computed independently in float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '../../src/backend.js';
import { ACTIVATION_NAMES, getActivation } from '../../src/layers/activations.js';
import { expectAllClose } from '../helpers/all_close.js';

/** erf via its Maclaurin series (|x| < 3) or the continued fraction of erfc; float64-accurate enough here. */
function erf(x: number): number {
  if (Math.abs(x) < 3) {
    let sum = 0;
    let term = x;
    for (let n = 0; n < 200; n++) {
      sum += term / (2 * n + 1);
      term *= (-x * x) / (n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - (Math.exp(-x * x) / (Math.abs(x) * Math.sqrt(Math.PI))) * (1 - 1 / (2 * x * x)));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const geluErf = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

const FORMULAS: Record<string, (x: number) => number> = {
  gelu: geluErf,
  gelu_python: geluErf,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_accurate: geluTanh,
  gelu_fast: (x) => 0.5 * x * (1 + Math.tanh(x * 0.7978845608 * (1 + 0.044715 * x * x))),
  gelu_10: (x) => Math.min(10, Math.max(-10, geluErf(x))),
  quick_gelu: (x) => x * sigmoid(1.702 * x),
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  relu2: (x) => Math.max(0, x) ** 2,
  leaky_relu: (x) => (x >= 0 ? x : 0.01 * x),
  silu: (x) => x * sigmoid(x),
  swish: (x) => x * sigmoid(x),
  mish: (x) => x * Math.tanh(Math.log1p(Math.exp(x))),
  tanh: Math.tanh,
  sigmoid,
  linear: (x) => x,
};

test('every supported hidden_act matches HF formula', async () => {
  await setBackend('wasm');
  assert.deepEqual([...ACTIVATION_NAMES].sort(), Object.keys(FORMULAS).sort());
  const xs = Array.from({ length: 121 }, (_, i) => -12 + i * 0.2);
  for (const name of ACTIVATION_NAMES) {
    const out = tf.tidy(() => getActivation(name)(tf.tensor1d(xs)).dataSync());
    expectAllClose(out, xs.map(FORMULAS[name]!), { atol: 2e-6, rtol: 2e-6, label: name });
  }
});
