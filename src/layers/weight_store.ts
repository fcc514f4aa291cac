/**
 * The tensors of one model, by HuggingFace PyTorch name. Layers take what they need by name when
 * they are built; weights they re-arrange once at load (e.g. Q, K and V fused into one matrix)
 * replace their sources here, so `dispose()` frees exactly what the model holds.
 *
 * Convention: Linear weights keep PyTorch's [out, in] layout and are applied as
 * `x · Wᵀ` (`tf.matMul(x, w, false, true)`), so names and shapes match the checkpoint letter for letter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WeightLoadError } from '../errors.js';

export interface WeightSpec {
  name: string;
  shape: number[];
}

export class WeightStore {
  private readonly tensors = new Map<string, tf.Tensor>();

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

  get(name: string): tf.Tensor {
    const tensor = this.tensors.get(name);
    if (tensor === undefined) throw new WeightLoadError(`missing weight "${name}".`);
    return tensor;
  }

  /**
   * Replaces the named source tensors by one tensor derived from them (computed once, at load),
   * stored under `name`; the sources are disposed.
   */
  derive(name: string, sources: string[], compute: (...inputs: tf.Tensor[]) => tf.Tensor): tf.Tensor {
    const inputs = sources.map((s) => this.get(s));
    const derived = tf.tidy(() => compute(...inputs));
    for (const s of sources) {
      this.tensors.get(s)?.dispose();
      this.tensors.delete(s);
    }
    this.add(name, derived);
    return derived;
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}
