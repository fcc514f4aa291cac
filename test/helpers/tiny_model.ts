/**
 * A tiny random-weight config and weight store for layer-level tests.
 */
import { makeConfig, type DPRConfig } from '../../src/config.js';
import { WeightStore, type WeightSpec } from '../../src/layers/weight_store.js';
import { randomWeightArrays } from '../../src/models/random_weights.js';

export function tinyConfig(overrides: Partial<DPRConfig> = {}): DPRConfig {
  return makeConfig({
    vocab_size: 50,
    hidden_size: 12,
    num_hidden_layers: 2,
    num_attention_heads: 3,
    intermediate_size: 20,
    max_position_embeddings: 16,
    ...overrides,
  });
}

export function storeFor(specs: WeightSpec[], seed = 7): WeightStore {
  return WeightStore.fromArrays(specs, randomWeightArrays(specs, seed, 0.5));
}
