/**
 * Messages between an EncoderPool and its workers.
 */
import type { BackendName } from '../backend.js';
import type { DPRConfig } from '../config.js';

export type EncoderKind = 'question' | 'context';

/** Where a worker gets its weights: a model directory, or float32 arrays in shared memory. */
export type ModelSource = { dir: string } | { config: Partial<DPRConfig>; weights: Array<[string, Float32Array]> };

export interface WorkerInit {
  kind: EncoderKind;
  source: ModelSource;
  backend?: BackendName;
}

export interface EncodeRequest {
  id: number;
  batch: number;
  seq: number;
  inputIds: Int32Array;
  attentionMask?: Int32Array;
  tokenTypeIds?: Int32Array;
}

export type WorkerMessage =
  | { type: 'ready'; backend: string; dim: number; kernels: string }
  | { type: 'init-error'; message: string; name: string }
  | { type: 'result'; id: number; vectors: Float32Array }
  /** `fatal`: the worker's wasm module ran out of memory and is unusable; the pool replaces it. */
  | { type: 'error'; id: number; message: string; name: string; fatal?: boolean };
