/**
 * The optional native kernels for the `wasm` and `cpu` backends, switched on and off together.
 *
 * The optional package `dpr-native-kernels` (packages/dpr-native-kernels) is a Node-API addon
 * built from source at install. registerNativeKernels() loads it and registers all of its kernels:
 * the GEMM behind tfjs's BatchMatMul and _FusedMatMul (native_matmul.ts), and GELU and
 * LayerNorm(x + residual) as the custom kernels DprGelu and DprAddLayerNorm (fused_elementwise.ts).
 * Without the addon (no compiler at install, not x64) or on a CPU without AVX2+FMA, tfjs's own
 * kernels run and nothing else changes.
 *
 * Off switch: TFJS_DPR_NATIVE_KERNELS=0. TFJS_DPR_FAST_MATMUL=0, the name from when only the
 * matMul was native, still works and is deprecated (it switched GELU and LayerNorm off too).
 * Thread count: TFJS_DPR_GEMM_THREADS (default: the machine's available parallelism); give each
 * worker 1 when several workers share the cores.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import {
  registerFusedElementwise,
  unregisterFusedElementwise,
  fusedElementwiseBackends,
  type ElementwiseAddon,
} from './fused_elementwise.js';
import { registerNativeMatMul, unregisterNativeMatMul, type GemmAddon } from './native_matmul.js';

export const NATIVE_KERNELS_ENV_VAR = 'TFJS_DPR_NATIVE_KERNELS';
/** @deprecated The old name of NATIVE_KERNELS_ENV_VAR; `TFJS_DPR_FAST_MATMUL=0` is still honoured. */
export const FAST_MATMUL_ENV_VAR = 'TFJS_DPR_FAST_MATMUL';
export const GEMM_THREADS_ENV_VAR = 'TFJS_DPR_GEMM_THREADS';
const ADDON_PACKAGE = 'dpr-native-kernels';

/** The addon's surface (packages/dpr-native-kernels/index.d.ts); declared here so the package stays optional. */
interface NativeAddon extends GemmAddon, ElementwiseAddon {
  info(): { isa: string; hardwareConcurrency: number };
}

type NativeBackendName = 'wasm' | 'cpu';

export interface NativeKernelOptions {
  /** Backends whose kernels are replaced; default both. */
  backends?: NativeBackendName[];
  /** Threads per kernel call; default TFJS_DPR_GEMM_THREADS, else os.availableParallelism(). */
  threads?: number;
}

export interface NativeKernelStatus {
  /** True when the native matMul is registered (GELU and LayerNorm come with it). */
  registered: boolean;
  /** 'avx512' | 'avx2' when registered. */
  isa?: string;
  threads?: number;
  /** Backends with the native GELU and LayerNorm kernels (fused_elementwise.ts). */
  elementwise?: string[];
  /** Why it is not registered: switched off, addon not built, or CPU without AVX2+FMA. */
  reason?: string;
}

let addon: NativeAddon | null | undefined;
let loadError = '';
let status: NativeKernelStatus = { registered: false, reason: 'registerNativeKernels() not called' };
let threads = 1;

function loadAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  try {
    const require = createRequire(import.meta.url);
    addon = require(ADDON_PACKAGE) as NativeAddon;
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

/** Why the environment switches the kernels off, or null. The new name wins when both are set. */
function switchedOffByEnv(): string | null {
  const current = process.env[NATIVE_KERNELS_ENV_VAR];
  if (current !== undefined && current !== '') return current === '0' ? `${NATIVE_KERNELS_ENV_VAR}=0` : null;
  if (process.env[FAST_MATMUL_ENV_VAR] === '0') {
    return `${FAST_MATMUL_ENV_VAR}=0 (deprecated name: use ${NATIVE_KERNELS_ENV_VAR}=0)`;
  }
  return null;
}

/**
 * Routes tfjs's BatchMatMul and _FusedMatMul on `wasm` and `cpu` through the native addon, and
 * registers its GELU and LayerNorm kernels. Resolves true when registered (or already registered);
 * false, never throwing, when switched off (TFJS_DPR_NATIVE_KERNELS=0), when the addon was not
 * built, or on a CPU without AVX2+FMA. Call it before or after tf.setBackend(); the original
 * kernels keep serving what the addon does not cover, and unregisterNativeKernels() restores them.
 */
export async function registerNativeKernels(options: NativeKernelOptions = {}): Promise<boolean> {
  try {
    const off = switchedOffByEnv();
    if (off !== null) {
      status = { registered: false, reason: off };
      return false;
    }
    const lib = loadAddon();
    if (lib === null) {
      status = { registered: false, reason: `optional package ${ADDON_PACKAGE} is not built (${loadError})` };
      return false;
    }
    const { isa } = lib.info();
    if (isa !== 'avx512' && isa !== 'avx2') {
      status = { registered: false, reason: 'this CPU has no AVX2+FMA' };
      return false;
    }
    threads =
      options.threads !== undefined && Number.isInteger(options.threads) && options.threads >= 1 ? options.threads : threadsFromEnv();
    const backends = options.backends ?? ['wasm', 'cpu'];
    const routed = registerNativeMatMul(lib, () => threads, backends);
    if (routed > 0) registerFusedElementwise(lib, () => threads, backends);
    status = {
      registered: routed > 0,
      isa,
      threads,
      elementwise: fusedElementwiseBackends(),
      ...(routed > 0 ? {} : { reason: 'no wasm or cpu backend registered' }),
    };
    return status.registered;
  } catch (error) {
    status = { registered: false, reason: error instanceof Error ? error.message : String(error) };
    return false;
  }
}

/** Restores the backends' own matMul kernels and drops the native GELU and LayerNorm. */
export function unregisterNativeKernels(): void {
  unregisterNativeMatMul();
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

/** What registerNativeKernels() did, for logs and benchmarks. */
export function nativeKernelStatus(): NativeKernelStatus {
  return status.registered ? { ...status, elementwise: fusedElementwiseBackends() } : { ...status };
}

// ---- the names from when only the matMul was native (they always covered GELU and LayerNorm too) ----

/** @deprecated Use NativeKernelStatus. */
export type FastMatMulStatus = NativeKernelStatus;
/** @deprecated Use registerNativeKernels(): the same function. */
export const registerFastMatMul = registerNativeKernels;
/** @deprecated Use unregisterNativeKernels(): the same function. */
export const unregisterFastMatMul = unregisterNativeKernels;
/** @deprecated Use nativeKernelStatus(): the same function. */
export const fastMatMulStatus = nativeKernelStatus;
