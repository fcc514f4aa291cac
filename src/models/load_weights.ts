/**
 * Reads a model directory's weights against the weights a config needs: `model.safetensors`, or,
 * when a directory has only `pytorch_model.bin`, that checkpoint read directly (zip or legacy
 * torch format, through the restricted unpickler). The file is checked by the one key check
 * (src/io/weight_keys.ts, which `convert` uses too): every missing, unexpected, mis-shaped,
 * duplicated or non-float tensor is reported by name in one WeightLoadError before any tensor
 * data is read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WeightLoadError } from '../errors.js';
import { PYTORCH_WEIGHTS, SAFETENSORS_WEIGHTS } from '../io/model_files.js';
import { PytorchCheckpoint, type CheckpointFormat } from '../io/pytorch_checkpoint.js';
import { SafetensorsFile, bytesToFloat32 } from '../io/safetensors.js';
import { describeKeyProblems, planKeys, type SourceTensor } from '../io/weight_keys.js';
import type { WeightSpec } from '../layers/weight_store.js';

/** Which weights file to read: `auto` prefers model.safetensors, then pytorch_model.bin. */
export type SourceKind = 'auto' | 'safetensors' | 'pytorch';
export type SourceFormat = 'safetensors' | CheckpointFormat;

/** A weights file, by the keys it holds (as the file names them). */
export interface WeightSource {
  readonly path: string;
  readonly format: SourceFormat;
  /** File key → the file's dtype and shape. */
  readonly tensors: ReadonlyMap<string, SourceTensor>;
  /** The raw little-endian bytes of one tensor. */
  readBytes(key: string): Uint8Array;
  close(): void;
}

function safetensorsSource(path: string): WeightSource {
  const file = SafetensorsFile.open(path);
  return { path, format: 'safetensors', tensors: file.header.tensors, readBytes: (key) => file.readBytes(key), close: () => file.close() };
}

function pytorchSource(path: string): WeightSource {
  const checkpoint = PytorchCheckpoint.open(path);
  const tensors = new Map<string, SourceTensor>();
  for (const key of checkpoint.names) {
    const info = checkpoint.info(key);
    tensors.set(key, { dtype: info.dtype, shape: info.shape });
  }
  return { path, format: checkpoint.format, tensors, readBytes: (key) => checkpoint.readBytes(key), close: () => checkpoint.close() };
}

/** Opens a model directory's weights file: `model.safetensors`, else `pytorch_model.bin` (or the one `from` names). */
export function openWeightSource(dir: string, from: SourceKind = 'auto'): WeightSource {
  const safetensors = join(dir, SAFETENSORS_WEIGHTS);
  const pytorch = join(dir, PYTORCH_WEIGHTS);
  if (from === 'safetensors' || (from === 'auto' && existsSync(safetensors))) return safetensorsSource(safetensors);
  if (from === 'pytorch' || existsSync(pytorch)) return pytorchSource(pytorch);
  throw new WeightLoadError(
    `${dir} has neither ${SAFETENSORS_WEIGHTS} nor ${PYTORCH_WEIGHTS}; a model directory needs one of them next to config.json.`,
  );
}

/** Reads every weight a model needs as float32 arrays, by HF name. */
export function loadWeightArrays(dir: string, specs: WeightSpec[]): Map<string, Float32Array> {
  const source = openWeightSource(dir);
  try {
    const plan = planKeys(source.tensors, specs);
    const problems = describeKeyProblems(plan, { unknownIsProblem: true });
    if (problems.length > 0) {
      throw new WeightLoadError(`${source.path} does not match config.json:\n  ${problems.join('\n  ')}`);
    }
    const arrays = new Map<string, Float32Array>();
    for (const [name, key] of plan.sources) {
      arrays.set(name, bytesToFloat32(source.readBytes(key), source.tensors.get(key)!.dtype, name, source.path));
    }
    return arrays;
  } finally {
    source.close();
  }
}
