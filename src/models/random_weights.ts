/**
 * Deterministic random weights for a model's specs — for benchmarks and tests that need a model
 * of a given size without a checkpoint. LayerNorm gains are drawn around 1 like a trained model's.
 */
import type { WeightSpec } from '../layers/weight_store.js';

/** mulberry32: a small, fast, seedable PRNG. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomWeightArrays(specs: WeightSpec[], seed = 1, scale = 0.05): Map<string, Float32Array> {
  const random = seededRandom(seed);
  const arrays = new Map<string, Float32Array>();
  for (const spec of specs) {
    const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    const isGain = spec.name.endsWith('LayerNorm.weight');
    for (let i = 0; i < values.length; i++) values[i] = (isGain ? 1 : 0) + (random() * 2 - 1) * scale;
    arrays.set(spec.name, values);
  }
  return arrays;
}
