/**
 * Native GELU and LayerNorm(x + residual) for the `wasm` and `cpu` backends.
 *
 * After the native matMul, BERT's time goes to element-wise ops that tfjs-backend-wasm runs one
 * scalar op at a time: GELU is Mul, Erf, Add, Mul, Mul over the [B·T, 3072] intermediate;
 * LayerNorm(dense + residual) is Add, Mean, Sub, Square, Mean, Add, Rsqrt, Mul, Mul, Add. The
 * optional addon (packages/dpr-native-kernels) does each in one vectorized pass (AVX-512 / AVX2+FMA), rows
 * split over the GEMM's threads. They are registered as two custom tfjs kernels, `DprGelu` and
 * `DprAddLayerNorm`, reading and writing tensors where the backend keeps them, like
 * native_matmul.ts does; registerNativeKernels() (native_kernels.ts) registers them with the
 * matMul, so the one switch (TFJS_DPR_NATIVE_KERNELS=0, unregisterNativeKernels()) covers both.
 *
 * The layers call gelu() and addLayerNorm() below: the native kernel when it is registered for
 * the active backend and the input is float32, else the same formula composed from tfjs ops.
 *
 * Accuracy (test/kernels/fused_elementwise.test.ts, every element against a float64 reference):
 * erf ≤ 2 ulp; GELU (erf) ≤ 2 ulp + 8e-8 (negative inputs keep their relative accuracy, where the
 * composed 1 + erf cancels); GELU (tanh) ≤ 2 ulp + 1e-7; LayerNorm with mean and variance
 * accumulated in float64. Inference only: no gradients are registered.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CpuBackendLike, WasmBackendLike } from './backend_access.js';

export const GELU_KERNEL = 'DprGelu';
export const ADD_LAYER_NORM_KERNEL = 'DprAddLayerNorm';

/** The element-wise part of the addon (packages/dpr-native-kernels/index.d.ts). */
export interface ElementwiseAddon {
  unary(op: number, x: Float32Array, y: Float32Array, n: number, threads: number): void;
  addLayerNorm(
    x: Float32Array,
    residual: Float32Array | null,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    rows: number,
    cols: number,
    eps: number,
    threads: number,
  ): void;
}

/** The addon's unary ops, by code. */
export const UNARY_OP = { geluErf: 0, geluTanh: 1, erf: 2, exp: 3 } as const;

export type GeluForm = 'erf' | 'tanh';
type BackendName = 'wasm' | 'cpu';

const registered = new Set<string>(); // `${kernelName}/${backend}`

const product = (dims: number[]) => dims.reduce((x, y) => x * y, 1);

// ---- composed tfjs versions: HF's formulas, the fallback and the tests' second reference ----

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** 0.5 · x · (1 + erf(x / √2)) — PyTorch's exact gelu. */
export function geluErfComposed(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))) — gelu_new, gelu_pytorch_tanh. */
export function geluTanhComposed(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}

/** LayerNorm(x + residual) over the last axis, biased variance; residual may be null. */
export function addLayerNormComposed<T extends tf.Tensor>(x: T, residual: T | null, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  return tf.tidy(() => {
    const sum = residual === null ? x : tf.add(x, residual);
    const mean = tf.mean(sum, -1, true);
    const centered = tf.sub(sum, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, gamma), beta) as T;
  });
}

// ---- what the layers call ----

function nativeFor(kernelName: string): boolean {
  return registered.has(`${kernelName}/${tf.getBackend()}`);
}

/** GELU, erf or tanh form: the native kernel on float32 when registered, else composed tfjs ops. */
export function gelu(x: tf.Tensor, form: GeluForm = 'erf'): tf.Tensor {
  if (x.dtype === 'float32' && nativeFor(GELU_KERNEL)) {
    return tf.engine().runKernel(GELU_KERNEL, { x }, { form } as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return form === 'erf' ? geluErfComposed(x) : geluTanhComposed(x);
}

/**
 * LayerNorm(x + residual) over the last axis with gain γ and bias β (residual null: LayerNorm(x)).
 * Native when registered, all float32, residual the same shape as x, and γ, β of the last dim's
 * size; anything else (broadcasting residuals, other dtypes) runs the composed tfjs ops.
 */
export function addLayerNorm<T extends tf.Tensor>(x: T, residual: T | null, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  const cols = x.shape[x.rank - 1] ?? 0;
  const fits =
    x.rank >= 1 &&
    cols > 0 &&
    x.dtype === 'float32' &&
    gamma.dtype === 'float32' &&
    beta.dtype === 'float32' &&
    gamma.size === cols &&
    beta.size === cols &&
    (residual === null || (residual.dtype === 'float32' && tf.util.arraysEqual(residual.shape, x.shape)));
  if (fits && nativeFor(ADD_LAYER_NORM_KERNEL)) {
    const inputs: tf.NamedTensorMap = residual === null ? { x, gamma, beta } : { x, residual, gamma, beta };
    return tf.engine().runKernel(ADD_LAYER_NORM_KERNEL, inputs, { eps } as unknown as tf.NamedAttrMap) as T;
  }
  return addLayerNormComposed(x, residual, gamma, beta, eps);
}

// ---- kernels ----

/** A float32 output of `shape` and views of it and of `inputs`, wherever the backend keeps them. */
function access(
  backendName: BackendName,
  backend: unknown,
  shape: number[],
  inputs: tf.TensorInfo[],
): { out: tf.TensorInfo; y: Float32Array; views: Float32Array[] } {
  if (backendName === 'wasm') {
    const wasm = backend as unknown as WasmBackendLike;
    const out = wasm.makeOutput(shape, 'float32');
    // Read the heap after makeOutput: a malloc that grows wasm memory replaces its ArrayBuffer.
    const heap = wasm.wasm.HEAPF32.buffer;
    const view = (t: tf.TensorInfo): Float32Array => {
      const entry = wasm.dataIdMap.get(t.dataId);
      if (entry === undefined) throw new Error('fused element-wise: tensor data not found in the wasm backend');
      return new Float32Array(heap, entry.memoryOffset, product(t.shape));
    };
    return { out, y: view(out), views: inputs.map(view) };
  }
  const cpu = backend as unknown as CpuBackendLike;
  const views = inputs.map((t) => {
    const values = cpu.data.get(t.dataId)?.values;
    // float32 tensors on the cpu backend always hold a Float32Array; anything else is a bug here.
    if (!(values instanceof Float32Array)) throw new Error('fused element-wise: expected float32 data on the cpu backend');
    return values;
  });
  const y = new Float32Array(product(shape));
  // makeTensorInfo keeps `y` itself as the tensor's storage, so the addon may write it afterwards.
  return { out: cpu.makeTensorInfo(shape, 'float32', y), y, views };
}

function geluKernel(addon: ElementwiseAddon, backendName: BackendName, threads: () => number): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs['x'] as tf.TensorInfo;
    const op = attrs?.['form'] === 'tanh' ? UNARY_OP.geluTanh : UNARY_OP.geluErf;
    const { out, y, views } = access(backendName, backend, x.shape, [x]);
    addon.unary(op, views[0]!, y, y.length, threads());
    return out;
  };
}

function addLayerNormKernel(addon: ElementwiseAddon, backendName: BackendName, threads: () => number): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs['x'] as tf.TensorInfo;
    const residual = inputs['residual'] as tf.TensorInfo | undefined;
    const gamma = inputs['gamma'] as tf.TensorInfo;
    const beta = inputs['beta'] as tf.TensorInfo;
    const eps = attrs?.['eps'] as number;
    const cols = x.shape[x.shape.length - 1]!;
    const operands = residual === undefined ? [x, gamma, beta] : [x, gamma, beta, residual];
    const { out, y, views } = access(backendName, backend, x.shape, operands);
    addon.addLayerNorm(views[0]!, views[3] ?? null, views[1]!, views[2]!, y, y.length / cols, cols, eps, threads());
    return out;
  };
}

/**
 * Registers DprGelu and DprAddLayerNorm on the given backends (called by registerNativeKernels with
 * the addon it loaded and its thread count, read at each call). A no-op for kernels already
 * registered.
 */
export function registerFusedElementwise(addon: ElementwiseAddon, threads: () => number, backends: BackendName[]): void {
  if (typeof addon.unary !== 'function' || typeof addon.addLayerNorm !== 'function') return; // an older build
  for (const backendName of backends) {
    if (tf.findBackendFactory(backendName) === null) continue; // that backend package is not loaded
    for (const [kernelName, make] of [
      [GELU_KERNEL, geluKernel],
      [ADD_LAYER_NORM_KERNEL, addLayerNormKernel],
    ] as const) {
      const key = `${kernelName}/${backendName}`;
      if (registered.has(key)) continue;
      tf.registerKernel({ kernelName, backendName, kernelFunc: make(addon, backendName, threads) });
      registered.add(key);
    }
  }
}

export function unregisterFusedElementwise(): void {
  for (const key of registered) {
    const [kernelName, backendName] = key.split('/') as [string, string];
    tf.unregisterKernel(kernelName, backendName);
  }
  registered.clear();
}

/** The backends the native element-wise kernels are registered on. */
export function fusedElementwiseBackends(): string[] {
  return [...new Set([...registered].map((key) => key.split('/')[1]!))];
}
