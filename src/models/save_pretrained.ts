/**
 * HF's `save_pretrained` for our models: `config.json` (with `architectures` naming the class and
 * `model_type: "dpr"`), `model.safetensors` with every weight under its HF PyTorch name and
 * layout (float32, `{"format": "pt"}` metadata as transformers writes it; the encoders'
 * `position_ids` buffer included, as in HF's own DPR checkpoints). The tokenizer saves itself
 * (`tokenizer.savePretrained(dir)`). `DPRQuestionEncoder.from_pretrained` and our `fromPretrained`
 * load the result unchanged. Each file is written atomically.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '../io/atomic_file.js';
import { CONFIG_FILE, SAFETENSORS_WEIGHTS } from '../io/model_files.js';
import { writeSafetensors, type TensorToWrite } from '../io/safetensors.js';
import type { DPRPretrainedModel, ModelClass } from './pretrained.js';

function positionIds(maxPositions: number): TensorToWrite {
  const bytes = new Uint8Array(maxPositions * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < maxPositions; i++) view.setBigInt64(i * 8, BigInt(i), true);
  return { name: '', dtype: 'I64', shape: [1, maxPositions], data: bytes };
}

export async function savePretrained(model: DPRPretrainedModel, dir: string): Promise<void> {
  const cls = model.constructor as unknown as ModelClass<DPRPretrainedModel>;
  mkdirSync(dir, { recursive: true });
  const tensors: TensorToWrite[] = [];
  for (const spec of cls.weightSpecs(model.config)) {
    const tensor: tf.Tensor = model.readWeight(spec);
    const values = (await tensor.data()) as Float32Array;
    tensor.dispose();
    tensors.push({ name: spec.name, dtype: 'F32', shape: spec.shape, data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
    if (spec.name.endsWith('.embeddings.word_embeddings.weight')) {
      tensors.push({ ...positionIds(model.config.max_position_embeddings), name: spec.name.replace('word_embeddings.weight', 'position_ids') });
    }
  }
  writeSafetensors(join(dir, SAFETENSORS_WEIGHTS), tensors, { format: 'pt' });
  const config = { ...model.config, architectures: [cls.architecture], model_type: 'dpr' };
  writeFileAtomic(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}
