/**
 * The tensors of one model, by HuggingFace PyTorch name. Each layer class lists the weights it
 * needs (name and PyTorch shape) in a static `weightSpecs`, and its constructor takes them through
 * `take(spec)` with those same specs, so the list the loader and `convert` check is the list the
 * layers are built from; `take` refuses a tensor of another shape. Weights a layer re-arranges
 * once at load (Linear's transposed copy) replace their sources here, so `dispose()` frees exactly
 * what the model holds.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WeightLoadError } from '../errors.js';

export interface WeightSpec {
  name: string;
  shape: number[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export class WeightStore {
  private readonly tensors = new Map<string, tf.Tensor>();
  private readonly taken = new Set<string>();

  /** Wraps float32 arrays (by name) as tensors; shapes come from the specs. */
  static fromArrays(specs: WeightSpec[], arrays: Map<string, Float32Array>): WeightStore {
    const store = new WeightStore();
    try {
      for (const spec of specs) {
        const values = arrays.get(spec.name);
        if (values === undefined) throw new WeightLoadError(`missing weight "${spec.name}".`);
        const size = spec.shape.reduce((a, b) => a * b, 1);
        if (values.length !== size) {
          throw new WeightLoadError(`weight "${spec.name}" has ${values.length} values; shape [${spec.shape.join(', ')}] needs ${size}.`);
        }
        store.add(spec.name, tf.tensor(values, spec.shape, 'float32'));
      }
    } catch (e) {
      store.dispose();
      throw e;
    }
    return store;
  }

  add(name: string, tensor: tf.Tensor): void {
    const previous = this.tensors.get(name);
    if (previous !== undefined && previous !== tensor) previous.dispose();
    this.tensors.set(name, tensor);
  }

  /** The tensor a layer's spec names, which must have the spec's shape. */
  take(spec: WeightSpec): tf.Tensor {
    const tensor = this.tensors.get(spec.name);
    if (tensor === undefined) throw new WeightLoadError(`missing weight "${spec.name}".`);
    if (!sameShape(tensor.shape, spec.shape)) {
      throw new WeightLoadError(`weight "${spec.name}" has shape [${tensor.shape.join(', ')}]; the layer needs [${spec.shape.join(', ')}].`);
    }
    this.taken.add(spec.name);
    return tensor;
  }

  /** Names held but never taken by a layer: empty once a model is built from its own specs. */
  untaken(): string[] {
    return [...this.tensors.keys()].filter((name) => !this.taken.has(name));
  }

  /**
   * Replaces the source tensor by one derived from it (computed once, at load), stored under
   * `name`; the source is disposed.
   */
  derive(name: string, source: WeightSpec, compute: (input: tf.Tensor) => tf.Tensor): tf.Tensor {
    const input = this.take(source);
    const derived = tf.tidy(() => compute(input));
    input.dispose();
    this.tensors.delete(source.name);
    this.add(name, derived);
    this.taken.add(name);
    return derived;
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}
