/**
 * Native matMul for the `wasm` and `cpu` backends (one of the native kernels, native_kernels.ts).
 *
 * tfjs-backend-wasm runs single-threaded in Node, and WASM SIMD has no fused multiply-add: its
 * XNNPACK matMul reaches ~33 GFLOP/s here, and only for `transposeA = transposeB = false`; any
 * transposed operand (the attention's `Q·Kᵀ`) drops to its scalar loop, ~2.5 GFLOP/s. The
 * optional package `dpr-native-kernels` (packages/dpr-native-kernels) is a Node-API addon built
 * from source at install, with AVX-512 / AVX2+FMA kernels and an optional second thread; this
 * module re-registers `BatchMatMul` and `_FusedMatMul` so that they call it, reading and writing
 * the operands where the backend keeps them (the wasm heap, or the cpu backend's TypedArrays)
 * without a copy.
 *
 * Exactness: the same float32 products summed in another order; results agree with tfjs's own
 * kernels within float32 rounding (test/kernels/native_matmul.test.ts).
 *
 * Anything the addon does not cover (non-float32 dtypes, activations other than linear and relu,
 * prelu weights, a bias that is not one value per output column, batch dims that broadcast
 * partially) goes to the backend's original kernel, saved when this one is registered.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CpuBackendLike, WasmBackendLike } from './backend_access.js';

/** The GEMM part of the addon (packages/dpr-native-kernels/index.d.ts). */
export interface GemmAddon {
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    bias: Float32Array | null,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aBatched: boolean,
    bBatched: boolean,
    relu: boolean,
    threads: number,
  ): void;
}

type BackendName = 'wasm' | 'cpu';
const KERNEL_NAMES = [tf.BatchMatMul, tf._FusedMatMul] as const;

const originals = new Map<string, tf.KernelConfig>();

// ---- shape planning, shared by both backends ----

interface Plan {
  outShape: number[];
  batch: number;
  m: number;
  n: number;
  k: number;
  aBatched: boolean;
  bBatched: boolean;
}

const product = (dims: number[]) => dims.reduce((x, y) => x * y, 1);

/** null when the addon cannot do this product as one strided batch; the original kernel does it. */
function planMatMul(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): Plan | null {
  const aRank = aShape.length;
  const bRank = bShape.length;
  if (aRank < 2 || bRank < 2) return null;
  const m = transposeA ? aShape[aRank - 1]! : aShape[aRank - 2]!;
  const kA = transposeA ? aShape[aRank - 2]! : aShape[aRank - 1]!;
  const kB = transposeB ? bShape[bRank - 1]! : bShape[bRank - 2]!;
  const n = transposeB ? bShape[bRank - 2]! : bShape[bRank - 1]!;
  if (kA !== kB) return null; // the original kernel raises tfjs's own error
  let batchDims: number[];
  try {
    batchDims = tf.broadcast_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  } catch {
    return null;
  }
  const batch = product(batchDims);
  const batchA = product(aShape.slice(0, -2));
  const batchB = product(bShape.slice(0, -2));
  // A side whose batch size equals the output's is not broadcast at all (any dim of 1 facing a
  // larger one would make it smaller); a side of size 1 is broadcast whole. Mixed cases go back.
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  if (batch === 0 || m === 0 || n === 0 || kA === 0) return null;
  return {
    outShape: [...batchDims, m, n],
    batch,
    m,
    n,
    k: kA,
    aBatched: batchA === batch && batch > 1,
    bBatched: batchB === batch && batch > 1,
  };
}

/** The fused kernel's bias, if the addon supports it: exactly one value per output column. */
function biasFits(bias: tf.TensorInfo | undefined, n: number): boolean {
  if (bias === undefined) return true;
  return bias.dtype === 'float32' && product(bias.shape) === n && bias.shape[bias.shape.length - 1] === n;
}

// ---- backend access ----

interface Operands {
  a: Float32Array;
  b: Float32Array;
  bias: Float32Array | null;
  out: tf.TensorInfo;
  c: Float32Array;
}

function wasmOperands(backend: WasmBackendLike, plan: Plan, a: tf.TensorInfo, b: tf.TensorInfo, bias?: tf.TensorInfo): Operands | null {
  const out = backend.makeOutput(plan.outShape, 'float32');
  // Read the heap after makeOutput: a malloc that grows wasm memory replaces its ArrayBuffer.
  const heap = backend.wasm.HEAPF32.buffer;
  const view = (t: tf.TensorInfo): Float32Array => {
    const entry = backend.dataIdMap.get(t.dataId);
    if (entry === undefined) throw new Error('native matMul: tensor data not found in the wasm backend');
    return new Float32Array(heap, entry.memoryOffset, product(t.shape));
  };
  return { a: view(a), b: view(b), bias: bias === undefined ? null : view(bias), out, c: view(out) };
}

function cpuOperands(backend: CpuBackendLike, plan: Plan, a: tf.TensorInfo, b: tf.TensorInfo, bias?: tf.TensorInfo): Operands | null {
  const values = (t: tf.TensorInfo) => {
    const v = backend.data.get(t.dataId)?.values;
    return v instanceof Float32Array ? v : null;
  };
  const av = values(a);
  const bv = values(b);
  const biasv = bias === undefined ? null : values(bias);
  if (av === null || bv === null || (bias !== undefined && biasv === null)) return null;
  const c = new Float32Array(product(plan.outShape));
  // makeTensorInfo keeps `c` itself as the tensor's storage, so the addon may write it afterwards.
  const out = backend.makeTensorInfo(plan.outShape, 'float32', c);
  return { a: av, b: bv, bias: biasv, out, c };
}

function makeKernelFunc(
  addon: GemmAddon,
  threads: () => number,
  kernelName: string,
  backendName: BackendName,
  original: tf.KernelConfig,
): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const a = inputs['a'] as tf.TensorInfo;
    const b = inputs['b'] as tf.TensorInfo;
    const bias = inputs['bias'] as tf.TensorInfo | undefined;
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    let relu = false;
    if (kernelName === tf._FusedMatMul) {
      const activation = (attrs?.['activation'] as string | undefined) ?? 'linear';
      if (inputs['preluActivationWeights'] != null || (activation !== 'linear' && activation !== 'relu')) {
        return original.kernelFunc(args);
      }
      relu = activation === 'relu';
    }
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
    const plan = planMatMul(a.shape, b.shape, transposeA, transposeB);
    if (plan === null || !biasFits(bias, plan.n)) return original.kernelFunc(args);
    const ops =
      backendName === 'wasm'
        ? wasmOperands(backend as unknown as WasmBackendLike, plan, a, b, bias)
        : cpuOperands(backend as unknown as CpuBackendLike, plan, a, b, bias);
    if (ops === null) return original.kernelFunc(args);
    addon.gemm(
      ops.a,
      ops.b,
      ops.c,
      ops.bias,
      plan.batch,
      plan.m,
      plan.n,
      plan.k,
      transposeA,
      transposeB,
      plan.aBatched,
      plan.bBatched,
      relu,
      threads(),
    );
    return ops.out;
  };
}

/**
 * Routes BatchMatMul and _FusedMatMul on the given backends through the addon's GEMM (called by
 * registerNativeKernels with the addon it loaded and its thread count, read at each call). Kernels
 * already routed are left as they are; a backend whose package is not loaded is skipped.
 * Returns how many kernels are routed now.
 */
export function registerNativeMatMul(addon: GemmAddon, threads: () => number, backends: BackendName[]): number {
  for (const backendName of backends) {
    for (const kernelName of KERNEL_NAMES) {
      const key = `${kernelName}/${backendName}`;
      if (originals.has(key)) continue;
      const original = tf.getKernel(kernelName, backendName);
      if (original === undefined) continue; // that backend package is not loaded
      tf.unregisterKernel(kernelName, backendName);
      // The original's setupFunc still runs at backend start-up: the fallback path needs it.
      tf.registerKernel({ ...original, kernelFunc: makeKernelFunc(addon, threads, kernelName, backendName, original) });
      originals.set(key, original);
    }
  }
  return originals.size;
}

/** Restores the backends' own matMul kernels. */
export function unregisterNativeMatMul(): void {
  for (const [key, original] of originals) {
    tf.unregisterKernel(original.kernelName, original.backendName);
    tf.registerKernel(original);
    originals.delete(key);
  }
}
