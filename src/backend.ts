/**
 * Backend selection. Order of preference: `tensorflow` (when the optional @tensorflow/tfjs-node
 * is installed), then `wasm`, then `cpu`. `setBackend(name)` or the TFJS_DPR_BACKEND environment
 * variable chooses explicitly. On `wasm` and `cpu` the matMul, GELU and LayerNorm kernels are the
 * optional native ones (packages/dpr-native-kernels) when they were built at install;
 * TFJS_DPR_NATIVE_KERNELS=0 turns them off (see src/kernels/native_kernels.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { ConfigError } from './errors.js';
import { registerNativeKernels } from './kernels/native_kernels.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ENV_VAR = 'TFJS_DPR_BACKEND';
const KNOWN_BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

let tfjsNodeProbe: Promise<boolean> | undefined;

/** Registers the `tensorflow` backend if @tensorflow/tfjs-node can be imported; never throws. */
async function tryLoadTfjsNode(): Promise<boolean> {
  tfjsNodeProbe ??= (async () => {
    try {
      const moduleName = '@tensorflow/tfjs-node';
      await import(moduleName);
      return tf.findBackendFactory('tensorflow') !== null;
    } catch {
      return false;
    }
  })();
  return tfjsNodeProbe;
}

function parseBackendName(name: string, source: string): BackendName {
  if ((KNOWN_BACKENDS as readonly string[]).includes(name)) return name as BackendName;
  throw new ConfigError(`${source} is "${name}"; expected one of ${KNOWN_BACKENDS.join(', ')}.`);
}

let chosen: Promise<BackendName> | undefined;

/** Gives the wasm and cpu backends the native kernels when they are available. */
async function withNativeKernels(backend: BackendName): Promise<BackendName> {
  if (backend === 'wasm' || backend === 'cpu') await registerNativeKernels();
  return backend;
}

/**
 * Selects a backend and waits until it is initialised. Without a name it uses TFJS_DPR_BACKEND,
 * else the fastest one available. Throws ConfigError when the named backend cannot start.
 */
export async function setBackend(name?: BackendName | string): Promise<BackendName> {
  const requested = name ?? process.env[BACKEND_ENV_VAR];
  const attempt = (async () => {
    if (requested !== undefined && requested !== '') {
      const backend = parseBackendName(requested, name === undefined ? BACKEND_ENV_VAR : 'backend');
      if (backend === 'tensorflow' && !(await tryLoadTfjsNode())) {
        throw new ConfigError(
          'backend "tensorflow" needs the optional package @tensorflow/tfjs-node; install it or choose "wasm" or "cpu".',
        );
      }
      if (!(await tf.setBackend(backend))) {
        throw new ConfigError(`backend "${backend}" failed to initialise.`);
      }
      return withNativeKernels(backend);
    }
    const candidates: BackendName[] = (await tryLoadTfjsNode()) ? ['tensorflow', 'wasm', 'cpu'] : ['wasm', 'cpu'];
    for (const backend of candidates) {
      if (await tf.setBackend(backend)) return withNativeKernels(backend);
    }
    throw new ConfigError('no TensorFlow.js backend could be initialised (tried ' + candidates.join(', ') + ').');
  })();
  chosen = attempt;
  // A failed choice must not stick: the next ensureBackend() starts over.
  attempt.catch(() => {
    if (chosen === attempt) chosen = undefined;
  });
  return attempt;
}

/** Makes sure some backend is ready; picks the default the first time. Idempotent. */
export async function ensureBackend(): Promise<BackendName> {
  if (chosen === undefined) return setBackend();
  return chosen;
}

/** The name of the active backend. */
export function getBackend(): string {
  return tf.getBackend();
}
