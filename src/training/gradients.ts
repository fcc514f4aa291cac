/**
 * Gradient functions for every kernel a DPR training step runs, registered once with
 * `tf.registerGradient`.
 *
 * Why here: tfjs-core keeps its gradient functions in a side-effect module of ES sources
 * (`dist/register_all_gradients.js`) that only the `@tensorflow/tfjs` bundle includes; Node cannot
 * load those sources itself (extensionless imports), and the core bundle we use has none of them.
 * The standard ones below follow tfjs-core 4.22's `src/gradients/*_grad.ts` (Apache-2.0), written
 * with the public ops. Two differ on purpose:
 * - GatherV2 scatters rows back with `scatterND` (summing repeats) instead of
 *   `unsortedSegmentSum`, which tfjs-backend-wasm does not implement;
 * - the native kernels `DprGelu` and `DprAddLayerNorm` (src/kernels/fused_elementwise.ts) get
 *   analytic gradients, so training runs the same fused forward as inference (checked numerically
 *   in test/training/gradients.test.ts).
 * A kernel that already has a gradient (e.g. registered by `@tensorflow/tfjs`) keeps it, except
 * GatherV2 for the reason above.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ADD_LAYER_NORM_KERNEL, GELU_KERNEL } from '../kernels/fused_elementwise.js';

type Grads = Record<string, () => tf.Tensor> | (() => tf.Tensor)[];
type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[], attrs: Record<string, unknown>) => Grads;

const { getReductionAxes, assertAndGetBroadcastShape, getUndoAxesPermutation } = tf.backend_util;

/** dy of a broadcasting binary op, summed back to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

function binary(
  kernelName: string,
  derA: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  derB: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): tf.GradConfig {
  const gradFunc: GradFunc = (dy, [a, b]) => {
    const out = assertAndGetBroadcastShape(a!.shape, b!.shape);
    return { a: () => unbroadcast(derA(dy, a!, b!), a!.shape, out), b: () => unbroadcast(derB(dy, a!, b!), b!.shape, out) };
  };
  return { kernelName, inputsToSave: ['a', 'b'], gradFunc: gradFunc as tf.GradFunc };
}

/** A unary kernel whose gradient needs its input x (`fromOutput` false) or its output y. */
function unary(
  kernelName: string,
  der: (dy: tf.Tensor, saved: tf.Tensor, attrs: Record<string, unknown>) => tf.Tensor,
  fromOutput = false,
): tf.GradConfig {
  const gradFunc: GradFunc = (dy, [saved], attrs) => ({ x: () => der(dy, saved!, attrs) });
  return fromOutput
    ? { kernelName, outputsToSave: [true], gradFunc: gradFunc as tf.GradFunc }
    : { kernelName, inputsToSave: ['x'], gradFunc: gradFunc as tf.GradFunc };
}

// A float32 cast of a float32 tensor is a full copy on wasm (its Identity kernel): skip it.
const f32 = (t: tf.Tensor) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Kernels whose forward is a reduction: dy broadcast back over the reduced axes. */
function expandReduced(dy: tf.Tensor, x: tf.Tensor, axis: unknown): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis as number | number[], x.shape)) shape[a] = 1;
  return tf.mul(tf.reshape(dy, shape), tf.ones(x.shape));
}

const STANDARD: tf.GradConfig[] = [
  binary(
    tf.Add,
    (dy) => dy,
    (dy) => dy,
  ),
  binary(
    tf.Sub,
    (dy) => dy,
    (dy) => tf.neg(dy),
  ),
  binary(
    tf.Multiply,
    (dy, _a, b) => tf.mul(dy, f32(b)),
    (dy, a) => tf.mul(dy, f32(a)),
  ),
  binary(
    tf.RealDiv,
    (dy, _a, b) => tf.div(dy, f32(b)),
    (dy, a, b) => tf.neg(tf.div(tf.mul(dy, f32(a)), tf.square(f32(b)))),
  ),
  binary(
    tf.SquaredDifference,
    (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(a, b))),
    (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(b, a))),
  ),
  binary(
    tf.Maximum,
    (dy, a, b) => tf.mul(dy, f32(tf.greaterEqual(a, b))),
    (dy, a, b) => tf.mul(dy, f32(tf.less(a, b))),
  ),
  binary(
    tf.Minimum,
    (dy, a, b) => tf.mul(dy, f32(tf.lessEqual(a, b))),
    (dy, a, b) => tf.mul(dy, f32(tf.greater(a, b))),
  ),
  binary(
    tf.Pow,
    (dy, a, b) => tf.mul(dy, tf.mul(f32(b), tf.pow(a, tf.sub(f32(b), 1)))),
    (dy, a, b) => tf.mul(dy, tf.mul(tf.pow(a, b), tf.where(tf.greater(a, 0), tf.log(a), tf.zerosLike(a)))),
  ),
  unary(tf.Neg, (dy) => tf.neg(dy)),
  unary(tf.Identity, (dy) => f32(dy)),
  { kernelName: tf.Cast, gradFunc: ((dy: tf.Tensor) => ({ x: () => tf.clone(dy) })) as tf.GradFunc },
  unary(tf.Reshape, (dy, x) => tf.reshape(dy, x.shape)),
  unary(tf.Square, (dy, x) => tf.mul(dy, tf.mul(f32(x), 2))),
  unary(tf.Sqrt, (dy, x) => tf.div(dy, tf.mul(tf.sqrt(f32(x)), 2))),
  unary(tf.Rsqrt, (dy, x) => tf.neg(tf.div(dy, tf.mul(tf.pow(x, 1.5), 2)))),
  unary(tf.Exp, (dy, y) => tf.mul(dy, y), true),
  unary(tf.Log, (dy, x) => tf.div(dy, f32(x))),
  unary(tf.Erf, (dy, x) => tf.mul(dy, tf.mul(tf.exp(tf.neg(tf.square(x))), TWO_OVER_SQRT_PI))),
  unary(tf.Tanh, (dy, y) => tf.mul(tf.sub(1, tf.square(y)), dy), true),
  unary(tf.Sigmoid, (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y))), true),
  unary(tf.Softplus, (dy, x) => tf.mul(dy, tf.sigmoid(x))),
  unary(tf.Relu, (dy, x) => tf.mul(dy, f32(tf.step(x)))),
  unary(tf.Relu6, (dy, x) => tf.mul(dy, f32(tf.mul(tf.lessEqual(x, 6), tf.step(x))))),
  unary(tf.LeakyRelu, (dy, x, attrs) => tf.where(tf.greater(x, 0), dy, tf.mul(dy, attrs['alpha'] as number))),
  unary(tf.ClipByValue, (dy, x, attrs) =>
    tf.where(
      tf.logicalAnd(tf.greaterEqual(x, attrs['clipValueMin'] as number), tf.lessEqual(x, attrs['clipValueMax'] as number)),
      dy,
      tf.zerosLike(dy),
    ),
  ),
  unary(tf.Sum, (dy, x, attrs) => expandReduced(dy, x, attrs['axis'])),
  unary(tf.Mean, (dy, x, attrs) => {
    const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape);
    const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
    return tf.div(expandReduced(dy, x, axes), count);
  }),
  {
    kernelName: tf.Transpose,
    gradFunc: ((dy: tf.Tensor, _s: tf.Tensor[], attrs: { perm: number[] }) => ({
      x: () => tf.transpose(dy, getUndoAxesPermutation(attrs.perm)),
    })) as unknown as tf.GradFunc,
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: ((dy: tf.Tensor, [x]: tf.Tensor[], attrs: { begin: number[]; size: number[] }) => {
      const [begin, size] = tf.slice_util.parseSliceParams(x!, attrs.begin, attrs.size) as [number[], number[]];
      return {
        x: () =>
          tf.pad(
            dy,
            x!.shape.map((n, i) => [begin[i]!, n - begin[i]! - size[i]!] as [number, number]),
          ),
      };
    }) as unknown as tf.GradFunc,
  },
  {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: ((dy: tf.Tensor, [y]: tf.Tensor[], attrs: { dim: number }) => {
      const dyTimesY = tf.mul(dy, y!);
      return { logits: () => tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [attrs.dim], true), y!)) };
    }) as unknown as tf.GradFunc,
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: ((dy: tf.Tensor, [a, b]: tf.Tensor[], attrs: { transposeA: boolean; transposeB: boolean }) => {
      const { transposeA: tA, transposeB: tB } = attrs;
      if (!tA && !tB) return { a: () => tf.matMul(dy, b!, false, true), b: () => tf.matMul(a!, dy, true, false) };
      if (!tA && tB) return { a: () => tf.matMul(dy, b!, false, false), b: () => tf.matMul(dy, a!, true, false) };
      if (tA && !tB) return { a: () => tf.matMul(b!, dy, false, true), b: () => tf.matMul(a!, dy, false, false) };
      return { a: () => tf.matMul(b!, dy, true, true), b: () => tf.matMul(dy, a!, true, true) };
    }) as unknown as tf.GradFunc,
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: ((dy: tf.Tensor, saved: tf.Tensor[], attrs: { axis: number }) => {
      const axis = tf.util.parseAxisParam(attrs.axis, saved[0]!.shape)[0]!;
      return tf
        .split(
          dy,
          saved.map((t) => t.shape[axis]!),
          axis,
        )
        .map((t) => () => t);
    }) as unknown as tf.GradFunc,
  },
  {
    kernelName: tf.Pack,
    saveAllInputs: true,
    gradFunc: ((dy: tf.Tensor, _s: tf.Tensor[], attrs: { axis: number }) =>
      tf.unstack(dy, attrs.axis).map((t) => () => t)) as unknown as tf.GradFunc,
  },
];

/** Gather along axis 0 or another axis, batchDims 0: rows of dy summed back into their source rows. */
const GATHER: tf.GradConfig = {
  kernelName: tf.GatherV2,
  inputsToSave: ['x', 'indices'],
  gradFunc: ((dy: tf.Tensor, [x, indices]: tf.Tensor[], attrs: { axis: number; batchDims: number }) => {
    if ((attrs.batchDims ?? 0) !== 0) throw new Error('GatherV2 gradient: batchDims other than 0 is not supported.');
    const axis = tf.util.parseAxisParam(attrs.axis, x!.shape)[0]!;
    const derX = () => {
      // Move the gathered axis first: x' [n, rest…], dy' [indices…, rest…] → [k, rest…].
      const perm = [axis, ...x!.shape.map((_, i) => i).filter((i) => i !== axis)];
      const rest = perm.slice(1).map((i) => x!.shape[i]!);
      const outer = x!.shape.slice(0, axis);
      const k = indices!.size;
      // dy is [outer…, indices…, inner…]; bring the indices dims to the front.
      const dy3 = tf.reshape(dy, [outer.reduce((a, b) => a * b, 1), k, rest.slice(outer.length).reduce((a, b) => a * b, 1)]);
      const rows = tf.reshape(tf.transpose(dy3, [1, 0, 2]), [k, ...rest]);
      const scattered = tf.scatterND(tf.reshape(tf.cast(indices!, 'int32'), [k, 1]), rows, [x!.shape[axis]!, ...rest]);
      return tf.transpose(scattered, getUndoAxesPermutation(perm));
    };
    return { x: derX, indices: () => tf.zerosLike(indices!) };
  }) as unknown as tf.GradFunc,
};

/** d/dx of 0.5·x·(1 + erf(x/√2)) and of the tanh form. */
function geluDerivative(x: tf.Tensor, form: unknown): tf.Tensor {
  if (form === 'tanh') {
    const x2 = tf.square(x);
    const t = tf.tanh(tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.mul(x2, x)))));
    const dInner = tf.mul(SQRT_2_OVER_PI, tf.add(1, tf.mul(3 * 0.044715, x2)));
    return tf.add(tf.mul(0.5, tf.add(1, t)), tf.mul(tf.mul(0.5, x), tf.mul(tf.sub(1, tf.square(t)), dInner)));
  }
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  return tf.add(cdf, tf.mul(x, tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(x))))));
}

const GELU: tf.GradConfig = {
  kernelName: GELU_KERNEL,
  inputsToSave: ['x'],
  gradFunc: ((dy: tf.Tensor, [x]: tf.Tensor[], attrs: { form: unknown }) => ({
    x: () => tf.mul(dy, geluDerivative(x!, attrs.form)),
  })) as unknown as tf.GradFunc,
};

/**
 * LayerNorm(s = x + residual) over the last axis: n = (s − μ)/√(σ² + ε), y = n·γ + β.
 * ds = (dn − mean(dn) − n·mean(dn·n)) / √(σ² + ε) with dn = dy·γ; dγ = Σ dy·n, dβ = Σ dy.
 * tfjs saves inputs by name and cannot save an absent one, so this gradient covers calls with a
 * residual (every BERT block); the embeddings' LayerNorm(x) trains through the composed ops.
 */
const ADD_LAYER_NORM: tf.GradConfig = {
  kernelName: ADD_LAYER_NORM_KERNEL,
  inputsToSave: ['x', 'residual', 'gamma'],
  gradFunc: ((dy: tf.Tensor, [x, residual, gamma]: tf.Tensor[], attrs: { eps: number }) => {
    const s = tf.add(x!, residual!);
    const centered = tf.sub(s, tf.mean(s, -1, true));
    const invStd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), attrs.eps));
    const n = tf.mul(centered, invStd);
    const dn = tf.mul(dy, gamma!);
    const ds = tf.mul(invStd, tf.sub(tf.sub(dn, tf.mean(dn, -1, true)), tf.mul(n, tf.mean(tf.mul(dn, n), -1, true))));
    const lead = x!.shape.slice(0, -1).map((_, i) => i);
    return { x: () => ds, residual: () => ds, gamma: () => tf.sum(tf.mul(dy, n), lead), beta: () => tf.sum(dy, lead) };
  }) as unknown as tf.GradFunc,
};

let done = false;

/** Registers the gradients above (idempotent). */
export function registerTrainingGradients(): void {
  if (done) return;
  for (const config of STANDARD) if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  for (const config of [GELU, ADD_LAYER_NORM]) if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  if (tf.getGradient(GATHER.kernelName) !== undefined) tf.unregisterGradient(GATHER.kernelName);
  tf.registerGradient(GATHER);
  done = true;
}
