/**
 * What the three DPR models share: owning their weights, disposal, and loading from a directory.
 */
import { ensureBackend } from '../backend.js';
import { architectureOf, loadConfig, makeConfig, type DPRArchitecture, type DPRConfig } from '../config.js';
import { ConfigError, DPRError } from '../errors.js';
import { WeightStore, type WeightSpec } from '../layers/weight_store.js';
import { loadWeightArrays } from './load_weights.js';
import { resolvePretrained } from '../hub/resolve.js';
import { MODEL_FILES } from '../io/model_files.js';
import type { PretrainedOptions } from '../hub/options.js';

export abstract class DPRPretrainedModel {
  private disposed = false;

  protected constructor(readonly config: DPRConfig, protected readonly store: WeightStore) {}

  /** Throws when the model was disposed (its weights are gone). */
  protected checkAlive(): void {
    if (this.disposed) throw new DPRError(`${this.constructor.name} was disposed; load it again to use it.`);
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

export interface ModelClassInfo<M> {
  architecture: DPRArchitecture;
  weightSpecs(config: DPRConfig): WeightSpec[];
  create(config: DPRConfig, store: WeightStore): M;
}

/**
 * Reads config.json and model.safetensors from a directory, or from the HuggingFace cache for a
 * hub id (downloading what is missing), and builds the model on the active backend.
 */
export async function loadPretrained<M>(info: ModelClassInfo<M>, nameOrDir: string, options: PretrainedOptions = {}): Promise<M> {
  const dir = await resolvePretrained(nameOrDir, { ...options, files: MODEL_FILES, weights: true });
  await ensureBackend();
  const config = loadConfig(dir);
  const architecture = architectureOf(config);
  if (architecture !== undefined && architecture !== info.architecture) {
    throw new ConfigError(
      `${dir}/config.json was saved from ${architecture}, not ${info.architecture}; load it with TF${architecture} instead.`,
    );
  }
  return fromWeightArrays(info, config, loadWeightArrays(dir, info.weightSpecs(config)));
}

/** Builds a model from a config and float32 arrays keyed by HF name (e.g. random weights). */
export function fromWeightArrays<M>(info: ModelClassInfo<M>, config: DPRConfig | Partial<DPRConfig>, arrays: Map<string, Float32Array>): M {
  const full = makeConfig(config as Partial<DPRConfig>);
  const store = WeightStore.fromArrays(info.weightSpecs(full), arrays);
  try {
    return info.create(full, store);
  } catch (e) {
    store.dispose();
    throw e;
  }
}
