/**
 * HF's `save_pretrained` for our models — the one implementation behind `model.savePretrained(dir)`
 * and the training checkpoints: `config.json` (`architectures` naming the class, `model_type`
 * "dpr", `torch_dtype` "float32", in HF's own formatting) and `model.safetensors` with every
 * weight under its HF PyTorch name and layout (Linear weights [out, in], float32) plus the
 * `position_ids` buffer HF's own DPR checkpoints hold, with the `{"format": "pt"}` metadata
 * transformers requires. What the tensors are comes from the model class (`weightSpecs`,
 * `bufferSpecs`). `DPRQuestionEncoder.from_pretrained` and our `fromPretrained` load the result
 * unchanged. The directory is replaced as a unit (src/io/atomic_dir.ts), keeping other files in it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DPRConfig } from '../config.js';
import { DPRError } from '../errors.js';
import { filesOf, TOKENIZER_FILES } from '../io/model_files.js';
import type { TensorToWrite } from '../io/safetensors.js';
import { saveModelDirectory, typedArrayBytes } from '../io/save_model.js';
import type { DPRPretrainedModel, ModelClass } from './pretrained.js';

export interface SaveOptions {
  /** Also copy the tokenizer files (vocab.txt, tokenizer_config.json, …) found in this directory. */
  tokenizerFrom?: string;
}

/** The tensors of a model's state dict as HF names them, each read only when the writer reaches it. */
function stateDict(model: DPRPretrainedModel, cls: ModelClass<DPRPretrainedModel>, config: DPRConfig): TensorToWrite[] {
  const weights = cls.weightSpecs(config).map((spec): TensorToWrite => ({
    name: spec.name,
    dtype: 'F32',
    shape: spec.shape,
    // One weight at a time, so a large model is never copied whole; copied before the tensor is freed.
    data: () => {
      const tensor = model.readWeight(spec);
      try {
        return typedArrayBytes((tensor.dataSync() as Float32Array).slice());
      } finally {
        tensor.dispose();
      }
    },
  }));
  const buffers = cls
    .bufferSpecs(config)
    .map((b): TensorToWrite => ({ name: b.name, dtype: 'I64', shape: b.shape, data: typedArrayBytes(b.values) }));
  return [...weights, ...buffers];
}

/** Writes `model` as an HF model directory `dir` (see the file header). */
export async function savePretrained(model: DPRPretrainedModel, dir: string, options: SaveOptions = {}): Promise<void> {
  if (model.isDisposed) throw new DPRError(`${model.constructor.name} was disposed; load it again to save it.`);
  const cls = model.constructor as unknown as ModelClass<DPRPretrainedModel>;
  const config = new DPRConfig({ ...model.config.toJSON(), architectures: [cls.architecture], torch_dtype: 'float32' });
  const copies = new Map<string, string>();
  if (options.tokenizerFrom !== undefined) {
    for (const file of filesOf(TOKENIZER_FILES)) {
      const source = join(options.tokenizerFrom, file);
      if (existsSync(source)) copies.set(file, source);
    }
  }
  saveModelDirectory(dir, config.toJSONString(), stateDict(model, cls, config), copies);
}
