/**
 * What the three DPR models share: owning their weights, disposal, and building from a directory
 * or from arrays. Each model class is its own description: its `architecture`, its weight
 * `prefix` (HF's base_model_prefix) and `weightSpecs(config)`, which loading and `convert` check
 * files against.
 */
import { ensureBackend } from '../backend.js';
import { architectureOf, loadConfig, makeConfig, type DPRArchitecture, type DPRConfig } from '../config.js';
import { ConfigError, DPRError } from '../errors.js';
import { WeightStore, type BufferSpec, type WeightSpec } from '../layers/weight_store.js';
import { savePretrained } from './save_pretrained.js';
import { loadWeightArrays } from './load_weights.js';
import { resolvePretrained } from '../hub/resolve.js';
import { MODEL_FILES } from '../io/model_files.js';
import type { PretrainedOptions } from '../hub/options.js';
import type * as tf from '@tensorflow/tfjs-core';

/** How to build a model's weights: `trainable` makes each a tf.Variable for training (src/training). */
export interface BuildOptions {
  trainable?: boolean;
}

/** A model class as the loader and `convert` use it: its statics and its constructor. */
export interface ModelClass<M> {
  /** The `architectures` entry HF's save_pretrained writes for it. */
  readonly architecture: DPRArchitecture;
  /** The root of its weight names. */
  readonly prefix: string;
  /** Every weight it holds, by HF name and PyTorch shape (buffers and the unused pooler excluded). */
  weightSpecs(config: DPRConfig): WeightSpec[];
  /** The non-weight tensors HF keeps in its state dict (the `position_ids` buffer): saved, not loaded. */
  bufferSpecs(config: DPRConfig): BufferSpec[];
  /** Throws ConfigError for a config the model cannot run; called before any weight is read. */
  checkConfig(config: DPRConfig): void;
  new (config: DPRConfig, store: WeightStore): M;
}

export abstract class DPRPretrainedModel {
  private disposed = false;

  protected constructor(
    readonly config: DPRConfig,
    protected readonly store: WeightStore,
  ) {}

  /** Every config the three models build from is runnable unless a class says otherwise. */
  static checkConfig(_config: DPRConfig): void {}

  /**
   * Loads `config.json` and the weights (`model.safetensors`, else `pytorch_model.bin`; HF PyTorch
   * names) from a directory, or from the HuggingFace cache for a hub id such as
   * "facebook/dpr-question_encoder-single-nq-base" (downloaded on first use; see PretrainedOptions).
   */
  static fromPretrained<M>(this: ModelClass<M>, nameOrDir: string, options: PretrainedOptions & BuildOptions = {}): Promise<M> {
    return loadPretrained(this, nameOrDir, options);
  }

  /** Builds the model from float32 arrays keyed by HF name. The backend must be ready. */
  static fromWeights<M>(
    this: ModelClass<M>,
    config: Partial<DPRConfig>,
    weights: Map<string, Float32Array>,
    options: BuildOptions = {},
  ): M {
    return fromWeightArrays(this, config, weights, options);
  }

  /**
   * Writes an HF model directory that transformers' `from_pretrained` and our `fromPretrained`
   * both load unchanged: `config.json` (with `architectures` naming this class's HF name and
   * `torch_dtype` "float32") and `model.safetensors` with every parameter under its HF PyTorch
   * name and shape (Linear weights [out, in]) plus the int64 `position_ids` buffer, as HF 4.27
   * writes them. The directory is replaced as a unit (written beside it, then renamed into place);
   * other files already in it, such as a tokenizer's, are kept. (src/models/save_pretrained.ts,
   * which training checkpoints use too.)
   */
  async savePretrained(dir: string): Promise<void> {
    this.checkAlive();
    return savePretrained(this, dir);
  }

  /** Throws when the model was disposed (its weights are gone). */
  protected checkAlive(): void {
    if (this.disposed) throw new DPRError(`${this.constructor.name} was disposed; load it again to use it.`);
  }

  /** The weights as trainable variables by HF name; the model must have been built with { trainable: true }. */
  trainableParameters(): Map<string, tf.Variable> {
    this.checkAlive();
    return this.store.variables();
  }

  /** A weight in its HF name and layout (e.g. for saving); the caller owns the returned tensor. */
  readWeight(spec: WeightSpec): tf.Tensor {
    this.checkAlive();
    return this.store.read(spec);
  }

  /** Frees every tensor the model holds. Safe to call twice. */
  dispose(): void {
    this.store.dispose();
    this.disposed = true;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}

/**
 * Reads config.json and the weights from a directory, or from the HuggingFace cache for a hub id
 * (downloading what is missing), and builds the model on the active backend.
 */
async function loadPretrained<M>(cls: ModelClass<M>, nameOrDir: string, options: PretrainedOptions & BuildOptions): Promise<M> {
  const dir = await resolvePretrained(nameOrDir, { ...options, files: MODEL_FILES, weights: true });
  await ensureBackend();
  const config = loadConfig(dir);
  const architecture = architectureOf(config);
  if (architecture !== undefined && architecture !== cls.architecture) {
    throw new ConfigError(
      `${dir}/config.json was saved from ${architecture}, not ${cls.architecture}; load it with TF${architecture} instead.`,
    );
  }
  cls.checkConfig(config);
  return fromWeightArrays(cls, config, loadWeightArrays(dir, cls.weightSpecs(config)), options);
}

/** Builds a model from a config and float32 arrays keyed by HF name (e.g. random weights). */
function fromWeightArrays<M>(
  cls: ModelClass<M>,
  config: DPRConfig | Partial<DPRConfig>,
  arrays: Map<string, Float32Array>,
  options: BuildOptions = {},
): M {
  const full = makeConfig(config); // a copy, so the model's config is its own
  cls.checkConfig(full);
  const store = WeightStore.fromArrays(cls.weightSpecs(full), arrays, options);
  try {
    const model = new cls(full, store);
    // The specs are the list files are checked against; a layer that took another list is a bug here.
    const untaken = store.untaken();
    if (untaken.length > 0)
      throw new Error(`internal: ${cls.architecture}.weightSpecs lists weights no layer takes: ${untaken.join(', ')}`);
    return model;
  } catch (e) {
    store.dispose();
    throw e;
  }
}
