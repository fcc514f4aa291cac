/**
 * The native GELU and LayerNorm(x + residual) kernels (src/kernels/fused_elementwise.ts), every
 * element, against a float64 reference and against the composed tfjs ops they replace, on both
 * backends, 1 and 2 threads, both ISAs (AVX2 in a child process pinned by DPR_NATIVE_ISA=avx2).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { seededRandom } from '../../src/models/random_weights.js';
import {
  NATIVE_KERNELS_ENV_VAR,
  nativeKernelStatus,
  registerNativeKernels,
  unregisterNativeKernels,
} from '../../src/kernels/native_kernels.js';
import {
  ADD_LAYER_NORM_KERNEL,
  GELU_KERNEL,
  UNARY_OP,
  addLayerNorm,
  addLayerNormComposed,
  gelu,
  geluErfComposed,
  geluTanhComposed,
  type ElementwiseAddon,
} from '../../src/kernels/fused_elementwise.js';

const require = createRequire(import.meta.url);

function loadAddon(): ElementwiseAddon | null {
  try {
    return require('dpr-native-kernels') as ElementwiseAddon;
  } catch {
    return null;
  }
}

// ---- float64 references ----

/** erfc(x) for x ≥ 0, to ~1e-15 relative: a series without cancellation below 3, a continued fraction above. */
function erfc64(x: number): number {
  if (x < 3) return 1 - erfSeries(x);
  let f = x;
  for (let k = 400; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), every term positive. */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 500 && term > sum * 1e-17; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  const v = a < 3 ? erfSeries(a) : 1 - erfc64(a);
  return x < 0 ? -v : v;
}

function geluErf64(x: number): number {
  const u = x / Math.SQRT2;
  const onePlusErf = u < 0 ? erfc64(-u) : 1 + erf64(u);
  return 0.5 * x * onePlusErf;
}

function geluTanh64(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/** The spacing of float32 numbers at |v| (the smallest normal's below it). */
function ulp32(v: number): number {
  const a = Math.max(Math.abs(v), 2 ** -126);
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Asserts |actual − expected| ≤ bound(i) everywhere (NaN only where expected is NaN; ±Inf exactly); returns the worst ratio. */
function assertBounded(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  bound: (i: number) => number,
  label: string,
  inputs?: ArrayLike<number>,
): number {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${label}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    const ratio = Math.abs(a - e) / bound(i);
    assert.ok(
      ratio <= 1,
      `${label}: element ${i}${inputs ? ` (x = ${inputs[i]})` : ''} is ${a}, expected ${e}: |diff| ${Math.abs(a - e)} > ${bound(i)}`,
    );
    worst = Math.max(worst, ratio);
  }
  return worst;
}

// The bounds this file holds the native kernels to (the kernel file's header quotes them).
const ERF_BOUND = (e: number) => 2 * ulp32(e);
const GELU_ERF_BOUND = (e: number) => 2 * ulp32(e) + 8e-8;
const GELU_TANH_BOUND = (e: number) => 2 * ulp32(e) + 1e-7;

const random = seededRandom(11);
const uniform = (n: number, scale: number, offset = 0) => Float32Array.from({ length: n }, () => offset + (random() * 2 - 1) * scale);

/** Every kind of input: dense over the interesting range, tiny, huge, and the specials. */
function unaryInputs(): Float32Array {
  const parts = [
    uniform(20_011, 12),
    uniform(5_003, 1.5),
    Float32Array.from({ length: 2_001 }, (_, i) => (i % 2 ? -1 : 1) * Math.exp(-60 + (60 * i) / 2_000)),
    uniform(1_025, 1e4), // (sizes add up to 31 · 905)
    Float32Array.from([0, -0, NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -1e-45, 1, -1, 2.5, -2.5, 10, -10]),
  ];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** LayerNorm's float64 reference: s = fround(x + r) (a float32 add), then exact mean, variance, and affine map. */
function layerNorm64(
  x: Float32Array,
  r: Float32Array | null,
  g: Float32Array,
  b: Float32Array,
  cols: number,
  eps: number,
): { y: Float64Array; scale: Float64Array } {
  const y = new Float64Array(x.length);
  const scale = new Float64Array(x.length); // |normed·γ| + |β|: the size of the terms the float32 result rounds
  for (let r0 = 0; r0 < x.length; r0 += cols) {
    const s = Array.from({ length: cols }, (_, j) => (r === null ? x[r0 + j]! : Math.fround(x[r0 + j]! + r[r0 + j]!)));
    const mean = s.reduce((p, v) => p + v, 0) / cols;
    const variance = s.reduce((p, v) => p + (v - mean) ** 2, 0) / cols;
    const rstd = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < cols; j++) {
      const n = (s[j]! - mean) * rstd;
      y[r0 + j] = n * g[j]! + b[j]!;
      scale[r0 + j] = Math.abs(n * g[j]!) + Math.abs(b[j]!);
    }
  }
  return { y, scale };
}

// Native LayerNorm: mean and rstd rounded to float32, then (s − mean)·rstd, ·γ + β: a few roundings
// of terms of size |normed·γ| + |β|.
const LN_BOUND = (scale: number) => 6 * 2 ** -24 * scale + 1e-30;

test('native GELU and LayerNorm', async (t) => {
  await t.test(`${NATIVE_KERNELS_ENV_VAR}=0: not registered, the composed ops run`, async () => {
    unregisterNativeKernels();
    const saved = process.env[NATIVE_KERNELS_ENV_VAR];
    process.env[NATIVE_KERNELS_ENV_VAR] = '0';
    try {
      assert.equal(await registerNativeKernels(), false);
    } finally {
      if (saved === undefined) delete process.env[NATIVE_KERNELS_ENV_VAR];
      else process.env[NATIVE_KERNELS_ENV_VAR] = saved;
    }
    await tf.setBackend('wasm');
    assert.equal(tf.getKernel(GELU_KERNEL, 'wasm'), undefined);
    assert.equal(tf.getKernel(ADD_LAYER_NORM_KERNEL, 'wasm'), undefined);
    tf.tidy(() => {
      const x = tf.tensor2d(uniform(6 * 7, 4), [6, 7]);
      const r = tf.tensor2d(uniform(6 * 7, 4), [6, 7]);
      const g = tf.tensor1d(uniform(7, 1, 1));
      const b = tf.tensor1d(uniform(7, 1));
      assert.deepEqual(gelu(x).dataSync(), geluErfComposed(x).dataSync());
      assert.deepEqual(gelu(x, 'tanh').dataSync(), geluTanhComposed(x).dataSync());
      assert.deepEqual(addLayerNorm(x, r, g, b, 1e-12).dataSync(), addLayerNormComposed(x, r, g, b, 1e-12).dataSync());
    });
  });

  const addon = loadAddon();
  if (addon === null) {
    t.skip('addon dpr-native-kernels not built on this machine (no compiler at install, or not x64): nothing native to test');
    return;
  }
  const x = unaryInputs();
  const gelu64 = Float64Array.from(x, geluErf64);
  const geluT64 = Float64Array.from(x, geluTanh64);
  const erfRef = Float64Array.from(x, erf64);

  await t.test('the float64 reference itself: known values of erf and erfc', () => {
    // erf(0.5), erf(1), erf(2), erfc(3), erfc(5), erfc(10) to 16 digits (Abramowitz & Stegun, Table 7.1 / DLMF).
    const close = (a: number, e: number) => assert.ok(Math.abs(a - e) <= 1e-15 * Math.abs(e), `${a} vs ${e}`);
    close(erf64(0.5), 0.5204998778130465);
    close(erf64(1), 0.8427007929497149);
    close(erf64(2), 0.9953222650189527);
    close(erfc64(3), 2.209049699858544e-5);
    close(erfc64(5), 1.537459794428035e-12);
    close(erfc64(10), 2.088487583762545e-45);
  });

  const checkUnary = (label: string, unary: (op: number, input: Float32Array) => Float32Array) => {
    const erf = unary(UNARY_OP.erf, x);
    const worstErf = assertBounded(erf, erfRef, (i) => ERF_BOUND(erfRef[i]!), `${label} erf`, x);
    const ge = unary(UNARY_OP.geluErf, x);
    const worstGelu = assertBounded(ge, gelu64, (i) => GELU_ERF_BOUND(gelu64[i]!), `${label} gelu (erf)`, x);
    const gt = unary(UNARY_OP.geluTanh, x);
    const worstTanh = assertBounded(gt, geluT64, (i) => GELU_TANH_BOUND(geluT64[i]!), `${label} gelu (tanh)`, x);
    return `worst |diff| / bound: erf ${worstErf.toFixed(2)}, gelu ${worstGelu.toFixed(2)}, gelu tanh ${worstTanh.toFixed(2)}`;
  };

  await t.test('addon: erf ≤ 2 ulp, GELU (erf) ≤ 2 ulp + 8e-8, GELU (tanh) ≤ 2 ulp + 1e-7, 1 and 2 threads', (st) => {
    for (const threads of [1, 2]) {
      st.diagnostic(
        `${threads} thread(s): ` +
          checkUnary(`${threads} thread(s)`, (op, input) => {
            const y = new Float32Array(input.length);
            addon.unary(op, input, y, input.length, threads);
            return y;
          }),
      );
    }
    // Large enough for the rows to be split (shares of at least 64K floats): the same bits as 1 thread.
    const big = new Float32Array(x.length * 5);
    for (let i = 0; i < 5; i++) big.set(x, i * x.length);
    for (const op of [UNARY_OP.erf, UNARY_OP.geluErf, UNARY_OP.geluTanh]) {
      const one = new Float32Array(big.length);
      const two = new Float32Array(big.length);
      addon.unary(op, big, one, big.length, 1);
      addon.unary(op, big, two, big.length, 2);
      assert.deepEqual(two, one, `op ${op}: 2 threads differ from 1`);
      assert.deepEqual(two.subarray(3 * x.length, 4 * x.length), one.subarray(0, x.length));
    }
  });

  await t.test('addon: the AVX2 path (DPR_NATIVE_ISA=avx2, in a child process) holds the same bounds', (st) => {
    const script = `
      const a = require('dpr-native-kernels');
      if (a.info().isa !== 'avx2') { process.stdout.write('SKIP ' + a.info().isa); process.exit(0); }
      const x = new Float32Array(Buffer.from(require('fs').readFileSync(0, 'utf8'), 'base64').buffer.slice(0));
      const out = [];
      for (const op of [${UNARY_OP.erf}, ${UNARY_OP.geluErf}, ${UNARY_OP.geluTanh}]) {
        const y = new Float32Array(x.length); a.unary(op, x, y, x.length, 2); out.push(Buffer.from(y.buffer).toString('base64'));
      }
      process.stdout.write(out.join(' '));`;
    const child = spawnSync(process.execPath, ['-e', script], {
      input: Buffer.from(x.buffer).toString('base64'),
      env: { ...process.env, DPR_NATIVE_ISA: 'avx2' },
      maxBuffer: 1 << 28,
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    if (child.stdout.startsWith('SKIP')) {
      st.skip(`this CPU has no AVX2+FMA (${child.stdout})`);
      return;
    }
    const results = child.stdout.split(' ').map((s) => new Float32Array(new Uint8Array(Buffer.from(s, 'base64')).buffer));
    const byOp = new Map([
      [UNARY_OP.erf, results[0]!],
      [UNARY_OP.geluErf, results[1]!],
      [UNARY_OP.geluTanh, results[2]!],
    ]);
    st.diagnostic('avx2: ' + checkUnary('avx2', (op) => byOp.get(op as 0 | 1 | 2)!));
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    for (const threads of [1, 2]) {
      await t.test(`${backend}, ${threads} thread(s): gelu() and addLayerNorm() through tfjs, every element`, async (st) => {
        unregisterNativeKernels();
        assert.equal(await registerNativeKernels({ threads }), true, nativeKernelStatus().reason);
        assert.deepEqual(nativeKernelStatus().elementwise?.sort(), ['cpu', 'wasm']);
        await tf.setBackend(backend);
        assert.ok(tf.getKernel(GELU_KERNEL, backend) !== undefined);

        // GELU through tfjs, odd shape: vs float64, and vs the composed path within its own (A&S 7.1.26) error.
        const [native, nativeTanh, composed] = tf.tidy(() => {
          const xt = tf.tensor2d(x, [x.length / 31, 31]);
          return [gelu(xt).dataSync(), gelu(xt, 'tanh').dataSync(), geluErfComposed(xt).dataSync()];
        });
        assertBounded(native!, gelu64, (i) => GELU_ERF_BOUND(gelu64[i]!), 'gelu', x);
        assertBounded(nativeTanh!, geluT64, (i) => GELU_TANH_BOUND(geluT64[i]!), 'gelu tanh', x);
        const finite = (i: number) => Math.abs(x[i]!) < 1e30;
        assertBounded(
          native!.filter((_, i) => finite(i)),
          composed!.filter((_, i) => finite(i)),
          () => 1e-6,
          'gelu vs composed',
        );

        // LayerNorm: random odd shapes, with and without the residual, both eps, and a large offset.
        for (const [rows, cols, eps, offset, withResidual] of [
          [1, 1, 1e-12, 0, true],
          [3, 5, 1e-5, 0, false],
          [37, 19, 1e-12, 0, true],
          [300, 771, 1e-12, 0, true],
          [129, 768, 1e-5, 0, false],
          [64, 768, 1e-12, 1e4, true],
          [17, 33, 1e-5, 0, true],
        ] as const) {
          const label = `LayerNorm [${rows}, ${cols}] eps ${eps} offset ${offset}${withResidual ? ' + residual' : ''}`;
          const xs = uniform(rows * cols, 3, offset);
          const rs = withResidual ? uniform(rows * cols, 3) : null;
          const g = uniform(cols, 0.5, 1);
          const b = uniform(cols, 0.5);
          const ref = layerNorm64(xs, rs, g, b, cols, eps);
          const [got, comp] = tf.tidy(() => {
            const args = [
              tf.tensor2d(xs, [rows, cols]),
              rs === null ? null : tf.tensor2d(rs, [rows, cols]),
              tf.tensor1d(g),
              tf.tensor1d(b),
            ] as const;
            return [
              addLayerNorm(args[0], args[1], args[2], args[3], eps).dataSync(),
              addLayerNormComposed(args[0], args[1], args[2], args[3], eps).dataSync(),
            ];
          });
          const worst = assertBounded(got!, ref.y, (i) => LN_BOUND(ref.scale[i]!), label);
          // The composed float32 path is itself only this close to float64 (its mean loses bits at offset 1e4).
          assertBounded(got!, comp!, () => (offset === 0 ? 2e-5 : 1e-2), `${label} vs composed`);
          st.diagnostic(`${label}: worst |diff| / bound ${worst.toFixed(2)}`);
        }
      });
    }

    await t.test(`${backend}: NaN and Infinity, broadcasting fallback, inside tidy, no leaks`, async () => {
      await tf.setBackend(backend);
      // A NaN or Inf in a row makes that row NaN, as in torch and the composed path; other rows are untouched.
      const cols = 9;
      const xs = uniform(3 * cols, 2);
      xs[1] = NaN;
      xs[cols + 4] = Infinity;
      const g = uniform(cols, 0.5, 1);
      const b = uniform(cols, 0.5);
      const [got, comp] = tf.tidy(() => {
        const xt = tf.tensor2d(xs, [3, cols]);
        return [
          addLayerNorm(xt, null, tf.tensor1d(g), tf.tensor1d(b), 1e-12).dataSync(),
          addLayerNormComposed(xt, null, tf.tensor1d(g), tf.tensor1d(b), 1e-12).dataSync(),
        ];
      });
      for (let i = 0; i < 2 * cols; i++) assert.ok(Number.isNaN(got![i]!) && Number.isNaN(comp![i]!), `element ${i}`);
      const ref = layerNorm64(xs.slice(2 * cols), null, g, b, cols, 1e-12);
      assertBounded(got!.slice(2 * cols), ref.y, (i) => LN_BOUND(ref.scale[i]!), 'the clean row');

      // A residual that broadcasts ([1, H] against [B, H]) is not the kernel's case: the composed ops run it.
      tf.tidy(() => {
        const xt = tf.tensor2d(uniform(4 * cols, 2), [4, cols]);
        const r = tf.tensor2d(uniform(cols, 2), [1, cols]);
        const want = addLayerNormComposed(xt, r as tf.Tensor2D, tf.tensor1d(g), tf.tensor1d(b), 1e-5).dataSync();
        assert.deepEqual(addLayerNorm(xt, r as tf.Tensor2D, tf.tensor1d(g), tf.tensor1d(b), 1e-5).dataSync(), want);
      });

      // Outputs are ordinary tensors: tidy disposes them, and repeated calls leave nothing behind.
      const xt = tf.tensor3d(uniform(2 * 5 * cols, 3), [2, 5, cols]);
      const gt = tf.tensor1d(g);
      const bt = tf.tensor1d(b);
      const once = () =>
        tf.tidy(() => {
          const y = addLayerNorm(gelu(xt), xt, gt, bt, 1e-12);
          assert.deepEqual(y.shape, [2, 5, cols]);
          return tf.sum(y);
        });
      once().dispose();
      const before = tf.memory().numTensors;
      once().dispose();
      once().dispose();
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([xt, gt, bt]);
    });
  }

  await t.test('unregisterNativeKernels() removes them; the composed ops take over', async () => {
    unregisterNativeKernels();
    assert.equal(tf.getKernel(GELU_KERNEL, 'wasm'), undefined);
    assert.equal(tf.getKernel(ADD_LAYER_NORM_KERNEL, 'cpu'), undefined);
    await tf.setBackend('wasm');
    tf.tidy(() => {
      const xt = tf.tensor1d(uniform(50, 3));
      assert.deepEqual(gelu(xt).dataSync(), geluErfComposed(xt).dataSync());
    });
  });
});
