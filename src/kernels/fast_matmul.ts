/**
 * Optional native matMul for the `wasm` and `cpu` backends.
 *
 * tfjs-backend-wasm runs single-threaded in Node, and WASM SIMD has no fused multiply-add: its
 * XNNPACK matMul reaches ~33 GFLOP/s here, and only for `transposeA = transposeB = false`; any
 * transposed operand (the attention's `Q·Kᵀ`) drops to its scalar loop, ~2.5 GFLOP/s. The
 * optional package `dpr-gemm` (packages/dpr-gemm) is a Node-API addon built from source at
 * install, with AVX-512 / AVX2+FMA kernels and an optional second thread; this module re-registers
 * `BatchMatMul` and `_FusedMatMul` so that they call it, reading and writing the operands where
 * the backend keeps them (the wasm heap, or the cpu backend's TypedArrays) without a copy.
 *
 * Exactness: the same float32 products summed in another order; results agree with tfjs's own
 * kernels within float32 rounding (test/kernels/fast_matmul.test.ts).
 *
 * Anything the addon does not cover (non-float32 dtypes, activations other than linear and relu,
 * prelu weights, a bias that is not one value per output column, batch dims that broadcast
 * partially) goes to the backend's original kernel, saved when this one is registered.
 *
 * The same call registers the addon's GELU and LayerNorm kernels (fused_elementwise.ts).
 *
 * Off switch (for both): TFJS_DPR_FAST_MATMUL=0. Thread count: TFJS_DPR_GEMM_THREADS (default: the machine's
 * available parallelism); give each worker 1 when several workers share the cores.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { registerFusedElementwise, unregisterFusedElementwise, fusedElementwiseBackends, type ElementwiseAddon } from './fused_elementwise.js';
import type { CpuBackendLike, WasmBackendLike } from './backend_access.js';

export const FAST_MATMUL_ENV_VAR = 'TFJS_DPR_FAST_MATMUL';
export const GEMM_THREADS_ENV_VAR = 'TFJS_DPR_GEMM_THREADS';

/** The addon's surface (packages/dpr-gemm/index.d.ts); declared here so the package stays optional. */
interface GemmAddon extends ElementwiseAddon {
  gemm(
    a: Float32Array, b: Float32Array, c: Float32Array, bias: Float32Array | null,
    batch: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, aBatched: boolean, bBatched: boolean,
    relu: boolean, threads: number,
  ): void;
  info(): { isa: string; hardwareConcurrency: number };
}

type FastBackendName = 'wasm' | 'cpu';
const KERNEL_NAMES = [tf.BatchMatMul, tf._FusedMatMul] as const;

export interface FastMatMulOptions {
  /** Backends whose matMul kernels are replaced; default both. */
  backends?: FastBackendName[];
  /** Threads per matMul; default TFJS_DPR_GEMM_THREADS, else os.availableParallelism(). */
  threads?: number;
}

export interface FastMatMulStatus {
  registered: boolean;
  /** 'avx512' | 'avx2' when registered. */
  isa?: string;
  threads?: number;
  /** Backends with the native GELU and LayerNorm kernels (fused_elementwise.ts). */
  elementwise?: string[];
  /** Why it is not registered: switched off, addon not built, or CPU without AVX2+FMA. */
  reason?: string;
}

let addon: GemmAddon | null | undefined;
let loadError = '';
let status: FastMatMulStatus = { registered: false, reason: 'registerFastMatMul() not called' };
let threads = 1;
const originals = new Map<string, tf.KernelConfig>();

function loadAddon(): GemmAddon | null {
  if (addon !== undefined) return addon;
  try {
    const require = createRequire(import.meta.url);
    addon = require('dpr-gemm') as GemmAddon;
  } catch (error) {
    loadError = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    addon = null;
  }
  return addon;
}

/** Parses the thread count; a bad value falls back to the default rather than throwing. */
function threadsFromEnv(): number {
  const raw = process.env[GEMM_THREADS_ENV_VAR];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : availableParallelism();
}

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
  return { outShape: [...batchDims, m, n], batch, m, n, k: kA, aBatched: batchA === batch && batch > 1, bBatched: batchB === batch && batch > 1 };
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
    if (entry === undefined) throw new Error('fast matMul: tensor data not found in the wasm backend');
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

function makeKernelFunc(kernelName: string, backendName: FastBackendName, original: tf.KernelConfig): tf.KernelFunc {
  const gemm = addon!.gemm;
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
    gemm(ops.a, ops.b, ops.c, ops.bias, plan.batch, plan.m, plan.n, plan.k, transposeA, transposeB, plan.aBatched, plan.bBatched, relu, threads);
    return ops.out;
  };
}

/**
 * Routes tfjs's BatchMatMul and _FusedMatMul on `wasm` and `cpu` through the native addon.
 * Resolves true when registered (or already registered); false, never throwing, when switched off
 * (TFJS_DPR_FAST_MATMUL=0), when the addon was not built, or on a CPU without AVX2+FMA.
 * Call it before or after tf.setBackend(); the original kernels keep serving what the addon does
 * not cover, and unregisterFastMatMul() restores them.
 */
export async function registerFastMatMul(options: FastMatMulOptions = {}): Promise<boolean> {
  try {
    if (process.env[FAST_MATMUL_ENV_VAR] === '0') {
      status = { registered: false, reason: `${FAST_MATMUL_ENV_VAR}=0` };
      return false;
    }
    const lib = loadAddon();
    if (lib === null) {
      status = { registered: false, reason: `optional package dpr-gemm is not built (${loadError})` };
      return false;
    }
    const { isa } = lib.info();
    if (isa !== 'avx512' && isa !== 'avx2') {
      status = { registered: false, reason: 'this CPU has no AVX2+FMA' };
      return false;
    }
    threads = options.threads !== undefined && Number.isInteger(options.threads) && options.threads >= 1 ? options.threads : threadsFromEnv();
    for (const backendName of options.backends ?? (['wasm', 'cpu'] as FastBackendName[])) {
      for (const kernelName of KERNEL_NAMES) {
        const key = `${kernelName}/${backendName}`;
        if (originals.has(key)) continue;
        const original = tf.getKernel(kernelName, backendName);
        if (original === undefined) continue; // that backend package is not loaded
        tf.unregisterKernel(kernelName, backendName);
        // The original's setupFunc still runs at backend start-up: the fallback path needs it.
        tf.registerKernel({ ...original, kernelFunc: makeKernelFunc(kernelName, backendName, original) });
        originals.set(key, original);
      }
    }
    if (originals.size > 0) registerFusedElementwise(lib, () => threads, options.backends ?? ['wasm', 'cpu']);
    status = { registered: originals.size > 0, isa, threads, elementwise: fusedElementwiseBackends(), ...(originals.size > 0 ? {} : { reason: 'no wasm or cpu backend registered' }) };
    return status.registered;
  } catch (error) {
    status = { registered: false, reason: error instanceof Error ? error.message : String(error) };
    return false;
  }
}

/** Restores the backends' own matMul kernels. */
export function unregisterFastMatMul(): void {
  for (const [key, original] of originals) {
    tf.unregisterKernel(original.kernelName, original.backendName);
    tf.registerKernel(original);
    originals.delete(key);
  }
  unregisterFusedElementwise();
  status = { registered: false, reason: 'unregistered' };
}

/**
 * Which kernels compute on the active backend, e.g. "wasm/native-avx512" or "wasm/tfjs": results
 * from different kernel sets differ in the last float bits, so a resumed index build checks it.
 */
export function kernelLabel(): string {
  return `${tf.getBackend()}/${status.registered ? `native-${status.isa}` : 'tfjs'}`;
}

/** What registerFastMatMul() did, for logs and benchmarks. */
export function fastMatMulStatus(): FastMatMulStatus {
  return status.registered ? { ...status, elementwise: fusedElementwiseBackends() } : { ...status };
}
