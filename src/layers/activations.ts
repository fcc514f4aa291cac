/**
 * HF's ACT2FN (transformers/activations.py): each name computes exactly HF's formula.
 * The two GELU forms run as one native kernel when the optional addon is registered
 * (src/kernels/fused_elementwise.ts), else as the composed tfjs ops written out there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gelu } from '../kernels/fused_elementwise.js';

type Activation = (x: tf.Tensor) => tf.Tensor;

/** 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))) — gelu_new, gelu_pytorch_tanh, gelu_accurate. */
const geluTanh: Activation = (x) => gelu(x, 'tanh');

/** 0.5 · x · (1 + erf(x / √2)) — PyTorch's exact gelu. */
const geluErf: Activation = (x) => gelu(x, 'erf');

const ACTIVATIONS: Record<string, Activation> = {
  gelu: geluErf,
  gelu_python: geluErf,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_accurate: geluTanh,
  // FastGELUActivation: 0.5 · x · (1 + tanh(x · 0.7978845608 · (1 + 0.044715 x²)))
  gelu_fast: (x) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(tf.mul(tf.mul(x, 0.7978845608), tf.add(1, tf.mul(0.044715, tf.square(x))))))),
  // ClippedGELUActivation(-10, 10)
  gelu_10: (x) => tf.clipByValue(geluErf(x), -10, 10),
  quick_gelu: (x) => tf.mul(x, tf.sigmoid(tf.mul(1.702, x))),
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  relu2: (x) => tf.square(tf.relu(x)),
  leaky_relu: (x) => tf.leakyRelu(x, 0.01),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  mish: (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  linear: (x) => tf.clone(x),
};

export const ACTIVATION_NAMES: string[] = Object.keys(ACTIVATIONS);

/** The activation function for a config's `hidden_act` (validated by makeConfig). */
export function getActivation(name: string): Activation {
  const fn = ACTIVATIONS[name];
  if (fn === undefined) throw new Error(`unknown activation ${name}`);
  return fn;
}
