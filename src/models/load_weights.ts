/**
 * Reads a model directory's `model.safetensors` against the weights a config needs. Every
 * missing, unexpected, mis-shaped or non-float tensor is collected and reported by name in one
 * WeightLoadError before any tensor data is read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WeightLoadError } from '../errors.js';
import { SafetensorsFile } from '../io/safetensors.js';
import type { WeightSpec } from '../layers/weight_store.js';

export const WEIGHTS_FILE = 'model.safetensors';

/** Checkpoint entries that are not weights of our model: buffers and the unused BERT pooler. */
export function isIgnoredKey(name: string): boolean {
  return name.endsWith('.position_ids') || name === 'position_ids' || name.includes('.pooler.');
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

/** Compares a file's tensors with the specs; returns one line per problem (empty when all match). */
export function weightProblems(file: SafetensorsFile, specs: WeightSpec[]): string[] {
  const expected = new Map(specs.map((s) => [s.name, s.shape]));
  const missing: string[] = [];
  const misShaped: string[] = [];
  const unexpected: string[] = [];
  for (const [name, shape] of expected) {
    const info = file.header.tensors.get(name);
    if (info === undefined) missing.push(name);
    else if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      misShaped.push(`${name}: file has [${info.shape.join(', ')}], config needs [${shape.join(', ')}]`);
    } else if (!FLOAT_DTYPES.has(info.dtype)) {
      misShaped.push(`${name}: dtype ${info.dtype}, expected a floating-point type`);
    }
  }
  for (const name of file.names) {
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
  const path = join(dir, WEIGHTS_FILE);
  if (!existsSync(path)) {
    const hint = existsSync(join(dir, 'pytorch_model.bin'))
      ? ` The directory has pytorch_model.bin: convert it first with \`dpr convert ${dir} OUT_DIR\`.`
      : '';
    throw new WeightLoadError(`${path} does not exist.${hint}`);
  }
  const file = SafetensorsFile.open(path);
  try {
    const problems = weightProblems(file, specs);
    if (problems.length > 0) {
      throw new WeightLoadError(`${path} does not match config.json:\n  ${problems.join('\n  ')}`);
    }
    const arrays = new Map<string, Float32Array>();
    for (const spec of specs) arrays.set(spec.name, file.readFloat32(spec.name));
    return arrays;
  } finally {
    file.close();
  }
}
