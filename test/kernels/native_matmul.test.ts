/**
 * The native matMul (src/kernels/native_matmul.ts) against tfjs's own cpu kernels, every element,
 * on both backends it replaces. Bound per element: float32 GEMM rounding,
 * max(1e-5, 2·k·2⁻²⁴) · Σₖ|a·b| (+ |bias|) — the two kernels sum the same products in a
 * different order, so that, not a fixed rtol on a possibly cancelling sum, is what "exact" means.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { seededRandom } from '../../src/models/random_weights.js';
import { registerNativeKernels, unregisterNativeKernels, nativeKernelStatus } from '../../src/kernels/native_kernels.js';

function addonBuilt(): boolean {
  try {
    createRequire(import.meta.url)('dpr-native-kernels');
    return true;
  } catch {
    return false;
  }
}

interface Case {
  label: string;
  aShape: number[];
  bShape: number[];
  transposeA: boolean;
  transposeB: boolean;
  bias?: number[];
  activation?: 'linear' | 'relu' | 'elu';
}

const random = seededRandom(7);
const randomArray = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

function randomCases(count: number): Case[] {
  const cases: Case[] = [];
  const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  for (let i = 0; i < count; i++) {
    const m = pick(1, 70);
    const n = pick(1, 70);
    const k = pick(1, 300);
    const transposeA = random() < 0.5;
    const transposeB = random() < 0.5;
    const batchKind = pick(0, 4); // 0: none, 1: equal rank-3, 2: a broadcast, 3: b broadcast, 4: rank-4
    const batch = pick(2, 4);
    const aInner = transposeA ? [k, m] : [m, k];
    const bInner = transposeB ? [n, k] : [k, n];
    const aBatch = batchKind === 0 || batchKind === 2 ? [] : batchKind === 4 ? [2, batch] : [batch];
    const bBatch = batchKind === 0 ? [] : batchKind === 3 ? [1] : batchKind === 4 ? [2, batch] : [batch];
    const fused = random() < 0.5;
    const c: Case = { label: '', aShape: [...aBatch, ...aInner], bShape: [...bBatch, ...bInner], transposeA, transposeB };
    if (fused) {
      c.activation = random() < 0.5 ? 'relu' : 'linear';
      if (random() < 0.7) c.bias = [n];
    }
    c.label =
      `a${JSON.stringify(c.aShape)} b${JSON.stringify(c.bShape)} tA=${transposeA} tB=${transposeB}` +
      (fused ? ` fused(${c.activation}${c.bias ? ', bias' : ''})` : '');
    cases.push(c);
  }
  return cases;
}

const FIXED: Case[] = [
  // BERT's shapes, scaled down in rows: the linear layers and both attention products.
  { label: 'linear x·W', aShape: [40, 96], bShape: [96, 200], transposeA: false, transposeB: false, bias: [200], activation: 'linear' },
  {
    label: 'linear x·Wᵀ + bias, relu',
    aShape: [40, 96],
    bShape: [200, 96],
    transposeA: false,
    transposeB: true,
    bias: [200],
    activation: 'relu',
  },
  { label: 'attention Q·Kᵀ', aShape: [2, 3, 17, 16], bShape: [2, 3, 17, 16], transposeA: false, transposeB: true },
  { label: 'attention P·V', aShape: [2, 3, 17, 17], bShape: [2, 3, 17, 16], transposeA: false, transposeB: false },
  { label: 'k spans several KC blocks', aShape: [33, 700], bShape: [700, 45], transposeA: false, transposeB: false },
  { label: 'both transposed', aShape: [3, 50, 20], bShape: [3, 30, 50], transposeA: true, transposeB: true },
  {
    label: 'elu falls back to the original kernel',
    aShape: [5, 7],
    bShape: [7, 6],
    transposeA: false,
    transposeB: false,
    bias: [6],
    activation: 'elu',
  },
];

interface Inputs {
  a: Float32Array;
  b: Float32Array;
  bias?: Float32Array;
}

function makeInputs(c: Case): Inputs {
  const inputs: Inputs = { a: randomArray(size(c.aShape)), b: randomArray(size(c.bShape)) };
  if (c.bias !== undefined) inputs.bias = randomArray(size(c.bias));
  return inputs;
}

function run(c: Case, x: Inputs): { values: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const a = tf.tensor(x.a, c.aShape);
    const b = tf.tensor(x.b, c.bShape);
    const out =
      c.activation === undefined
        ? tf.matMul(a, b, c.transposeA, c.transposeB)
        : tf.fused.matMul({
            a,
            b,
            transposeA: c.transposeA,
            transposeB: c.transposeB,
            activation: c.activation,
            ...(x.bias !== undefined && c.bias !== undefined ? { bias: tf.tensor(x.bias, c.bias) } : {}),
          });
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

/** Σₖ|a·b| (+|bias|) per output element, in float64: the scale of float32 rounding there. */
function absScale(c: Case, x: Inputs, outShape: number[]): Float64Array {
  const rank = outShape.length;
  const m = outShape[rank - 2]!;
  const n = outShape[rank - 1]!;
  const batch = size(outShape.slice(0, -2));
  const k = c.transposeA ? c.aShape[c.aShape.length - 2]! : c.aShape[c.aShape.length - 1]!;
  const aBatched = size(c.aShape.slice(0, -2)) === batch && batch > 1;
  const bBatched = size(c.bShape.slice(0, -2)) === batch && batch > 1;
  const scale = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    const ao = aBatched ? bi * m * k : 0;
    const bo = bBatched ? bi * k * n : 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = x.bias !== undefined ? Math.abs(x.bias[j]!) : 0;
        for (let q = 0; q < k; q++) {
          const av = x.a[ao + (c.transposeA ? q * m + i : i * k + q)]!;
          const bv = x.b[bo + (c.transposeB ? j * k + q : q * n + j)]!;
          s += Math.abs(av * bv);
        }
        scale[bi * m * n + i * n + j] = s;
      }
    }
  }
  return scale;
}

function assertWithinRounding(
  c: Case,
  x: Inputs,
  actual: { values: Float32Array; shape: number[] },
  expected: { values: Float32Array; shape: number[] },
  where: string,
) {
  assert.deepEqual(actual.shape, expected.shape, `${where} ${c.label}: shape`);
  const k = c.transposeA ? c.aShape[c.aShape.length - 2]! : c.aShape[c.aShape.length - 1]!;
  const rel = Math.max(1e-5, 2 * k * 2 ** -24);
  const scale = absScale(c, x, expected.shape);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.values.length; i++) {
    const same = actual.values[i] === expected.values[i] || (Number.isNaN(actual.values[i]!) && Number.isNaN(expected.values[i]!));
    if (same) continue; // covers ±Infinity, where the difference would be NaN
    const diff = Math.abs(actual.values[i]! - expected.values[i]!);
    const ratio = diff / (rel * scale[i]! + 1e-30);
    if (!(ratio <= worstRatio)) {
      worstRatio = Number.isNaN(ratio) ? Infinity : ratio;
      worst = i;
    }
  }
  assert.ok(
    worstRatio <= 1,
    `${where} ${c.label}: element ${worst} is ${actual.values[worst]}, expected ${expected.values[worst]} ` +
      `(|diff| ${Math.abs(actual.values[worst]! - expected.values[worst]!)} > ${rel} · Σ|a·b| ${scale[worst]})`,
  );
}

test('native matMul', async (t) => {
  if (!addonBuilt()) {
    t.skip('addon not built (test/kernels/native_kernels.test.ts checks the fallback)');
    return;
  }

  const cases = [...FIXED, ...randomCases(60)];
  const inputs = cases.map(makeInputs);
  // NaN and ±Infinity must come out where tfjs puts them, relu included (relu(NaN) is NaN).
  const special: Case = {
    label: 'NaN and Infinity, relu',
    aShape: [3, 4],
    bShape: [4, 5],
    transposeA: false,
    transposeB: false,
    bias: [5],
    activation: 'relu',
  };
  const specialInputs = makeInputs(special);
  specialInputs.a.set([NaN, Infinity, -Infinity], 0);
  specialInputs.a[8] = Infinity;
  cases.push(special);
  inputs.push(specialInputs);
  // tfjs's cpu kernels are the reference (the wasm backend's own fused kernel mis-adds the bias
  // under transposeB; see src/layers/linear.ts).
  await tf.setBackend('cpu');
  const expected = cases.map((c, i) => run(c, inputs[i]!));

  assert.equal(await registerNativeKernels({ threads: 2 }), true, nativeKernelStatus().reason);
  for (const backend of ['cpu', 'wasm'] as const) {
    await t.test(`${backend}: every element within float32 rounding of tfjs's cpu kernels`, async () => {
      await tf.setBackend(backend);
      cases.forEach((c, i) => assertWithinRounding(c, inputs[i]!, run(c, inputs[i]!), expected[i]!, backend));
    });

    await t.test(`${backend}: the single-threaded path agrees too`, async () => {
      const big: Case = { label: 'rows split over threads', aShape: [300, 64], bShape: [96, 64], transposeA: false, transposeB: true };
      const x = makeInputs(big);
      await tf.setBackend('cpu');
      unregisterNativeKernels();
      const reference = run(big, x);
      for (const threads of [1, 2]) {
        assert.equal(await registerNativeKernels({ threads }), true);
        await tf.setBackend(backend);
        assertWithinRounding(big, x, run(big, x), reference, `${backend}, ${threads} thread(s)`);
        unregisterNativeKernels();
      }
      assert.equal(await registerNativeKernels({ threads: 2 }), true);
    });

    await t.test(`${backend}: int32 operands and tfjs's shape errors still go to the original kernel`, async () => {
      await tf.setBackend(backend);
      const intProduct = () =>
        tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32')).arraySync());
      if (backend === 'cpu')
        assert.deepEqual(intProduct(), [
          [19, 22],
          [43, 50],
        ]);
      else assert.throws(intProduct, /non-float32 tensors not yet supported/); // the wasm kernel's own answer
      assert.throws(() => tf.tidy(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 2]))), /inner shapes|must match/);
    });

    await t.test(`${backend}: runs twice without leaking tensors`, async () => {
      await tf.setBackend(backend);
      const c = FIXED[1]!;
      const x = inputs[1]!;
      run(c, x);
      const before = tf.memory().numTensors;
      run(c, x);
      run(c, x);
      assert.equal(tf.memory().numTensors, before);
    });
  }

  await t.test("unregisterNativeKernels() restores the backends' kernels", () => {
    const patched = tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc;
    unregisterNativeKernels();
    assert.notEqual(tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc, patched);
    assert.equal(nativeKernelStatus().registered, false);
  });
});
