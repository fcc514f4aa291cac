/**
 * Reads a model directory's weights against the weights a config needs: `model.safetensors`, or,
 * when a directory has only `pytorch_model.bin`, that checkpoint read directly (zip or legacy
 * torch format, through the restricted unpickler; legacy `gamma`/`beta` names mapped to
 * `weight`/`bias`). Every missing, unexpected, mis-shaped or non-float tensor is collected and
 * reported by name in one WeightLoadError before any tensor data is read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WeightLoadError } from '../errors.js';
import { PYTORCH_WEIGHTS, SAFETENSORS_WEIGHTS } from '../io/model_files.js';
import { PytorchCheckpoint } from '../io/pytorch_checkpoint.js';
import { SafetensorsFile, bytesToFloat32, type SafetensorsDtype } from '../io/safetensors.js';
import { isDroppedKey, normalizeKey } from '../io/weight_keys.js';
import type { WeightSpec } from '../layers/weight_store.js';

/** Checkpoint entries that are not weights of our model: buffers and the unused BERT pooler. */
export const isIgnoredKey = isDroppedKey;

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

/** What the loader needs of a weight file, by HF name. */
export interface WeightSource {
  readonly path: string;
  /** HF name → the file's dtype and shape. */
  readonly tensors: ReadonlyMap<string, { dtype: SafetensorsDtype; shape: number[] }>;
  readFloat32(name: string): Float32Array;
  close(): void;
}

function safetensorsSource(path: string): WeightSource {
  const file = SafetensorsFile.open(path);
  return { path, tensors: file.header.tensors, readFloat32: (name) => file.readFloat32(name), close: () => file.close() };
}

function pytorchSource(path: string): WeightSource {
  const checkpoint = PytorchCheckpoint.open(path);
  const sourceKey = new Map<string, string>();
  const tensors = new Map<string, { dtype: SafetensorsDtype; shape: number[] }>();
  for (const key of checkpoint.names) {
    const name = normalizeKey(key);
    if (tensors.has(name)) {
      checkpoint.close();
      throw new WeightLoadError(`${path}: both "${sourceKey.get(name)}" and "${key}" map to the weight "${name}".`);
    }
    sourceKey.set(name, key);
    const info = checkpoint.info(key);
    tensors.set(name, { dtype: info.dtype, shape: info.shape });
  }
  return {
    path,
    tensors,
    readFloat32: (name) => bytesToFloat32(checkpoint.readBytes(sourceKey.get(name)!), tensors.get(name)!.dtype, name, path),
    close: () => checkpoint.close(),
  };
}

/** Opens `model.safetensors`, else `pytorch_model.bin`, in a model directory. */
export function openWeightSource(dir: string): WeightSource {
  const safetensors = join(dir, SAFETENSORS_WEIGHTS);
  if (existsSync(safetensors)) return safetensorsSource(safetensors);
  const pytorch = join(dir, PYTORCH_WEIGHTS);
  if (existsSync(pytorch)) return pytorchSource(pytorch);
  throw new WeightLoadError(`${dir} has neither ${SAFETENSORS_WEIGHTS} nor ${PYTORCH_WEIGHTS}; a model directory needs one of them next to config.json.`);
}

/** Compares a file's tensors with the specs; returns one line per problem (empty when all match). */
export function weightProblems(source: Pick<WeightSource, 'tensors'>, specs: WeightSpec[]): string[] {
  const expected = new Map(specs.map((s) => [s.name, s.shape]));
  const missing: string[] = [];
  const misShaped: string[] = [];
  const unexpected: string[] = [];
  for (const [name, shape] of expected) {
    const info = source.tensors.get(name);
    if (info === undefined) missing.push(name);
    else if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      misShaped.push(`${name}: file has [${info.shape.join(', ')}], config needs [${shape.join(', ')}]`);
    } else if (!FLOAT_DTYPES.has(info.dtype)) {
      misShaped.push(`${name}: dtype ${info.dtype}, expected a floating-point type`);
    }
  }
  for (const name of source.tensors.keys()) {
    if (!expected.has(name) && !isIgnoredKey(name)) unexpected.push(name);
  }
  const lines: string[] = [];
  if (missing.length > 0) lines.push(`missing (${missing.length}): ${missing.join(', ')}`);
  if (unexpected.length > 0) lines.push(`unexpected (${unexpected.length}): ${unexpected.join(', ')}`);
  if (misShaped.length > 0) lines.push(`mis-shaped (${misShaped.length}): ${misShaped.join('; ')}`);
  return lines;
}

/** Reads every weight a model needs as float32 arrays, by HF name. */
export function loadWeightArrays(dir: string, specs: WeightSpec[]): Map<string, Float32Array> {
  const source = openWeightSource(dir);
  try {
    const problems = weightProblems(source, specs);
    if (problems.length > 0) {
      throw new WeightLoadError(`${source.path} does not match config.json:\n  ${problems.join('\n  ')}`);
    }
    const arrays = new Map<string, Float32Array>();
    for (const spec of specs) arrays.set(spec.name, source.readFloat32(spec.name));
    return arrays;
  } finally {
    source.close();
  }
}
