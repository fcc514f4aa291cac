/**
 * Writing an HF model directory, as `save_pretrained` does: `config.json` and `model.safetensors`
 * (tensors in name order, metadata `{"format": "pt"}`, which transformers requires to load a
 * safetensors file into PyTorch), replaced as a unit (io/atomic_dir.ts). What the tensors are,
 * by name and shape, the model classes say (`weightSpecs`, `bufferSpecs`); this file only writes.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirectoryAtomic } from './atomic_dir.js';
import { writeFileAtomic } from './atomic_file.js';
import { CONFIG_FILE, SAFETENSORS_WEIGHTS } from './model_files.js';
import { writeSafetensors, type TensorToWrite } from './safetensors.js';

/** The metadata HF writes into every PyTorch safetensors file. */
const PT_SAFETENSORS_METADATA = { format: 'pt' } as const;

/** The little-endian bytes of a typed array (the platforms tfjs-dpr runs on are little-endian). */
export function typedArrayBytes(values: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * Writes `config.json` (the given text), `model.safetensors` and copies of `copies` (file name →
 * source path, e.g. a tokenizer's files) into `dir`, atomically as a whole.
 */
export function saveModelDirectory(
  dir: string,
  configText: string,
  tensors: TensorToWrite[],
  copies: ReadonlyMap<string, string> = new Map(),
): void {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  writeDirectoryAtomic(dir, (tmp) => {
    writeSafetensors(join(tmp, SAFETENSORS_WEIGHTS), sorted, { ...PT_SAFETENSORS_METADATA });
    writeFileAtomic(join(tmp, CONFIG_FILE), configText);
    for (const [name, source] of copies) copyFileSync(source, join(tmp, name));
  });
}
