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

/**
 * A tensor HF keeps in its state dict that is not a weight (BertEmbeddings' int64 `position_ids`):
 * never loaded (HF ignores it on load too), written by `savePretrained` so saved files carry
 * the same keys as HF's own.
 */
export interface BufferSpec {
  name: string;
  shape: number[];
  dtype: 'int64';
  values: BigInt64Array;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export class WeightStore {
  private readonly tensors = new Map<string, tf.Tensor>();
  private readonly taken = new Set<string>();
  /** Source name → the derived tensor's name and how to get the source's values back (for saving). */
  private readonly derivedFrom = new Map<string, { name: string; inverse: (t: tf.Tensor) => tf.Tensor }>();

  /**
   * `trainable`: every weight is a trainable tf.Variable under its HF name, and layers keep them
   * as they are (no derived copies), so gradients reach them (src/training).
   */
  constructor(readonly trainable = false) {}

  /** Wraps float32 arrays (by name) as tensors (variables when trainable); shapes come from the specs. */
  static fromArrays(specs: WeightSpec[], arrays: Map<string, Float32Array>, options: { trainable?: boolean } = {}): WeightStore {
    const store = new WeightStore(options.trainable === true);
    try {
      for (const spec of specs) {
        const values = arrays.get(spec.name);
        if (values === undefined) throw new WeightLoadError(`missing weight "${spec.name}".`);
        const size = spec.shape.reduce((a, b) => a * b, 1);
        if (values.length !== size) {
          throw new WeightLoadError(`weight "${spec.name}" has ${values.length} values; shape [${spec.shape.join(', ')}] needs ${size}.`);
        }
        // tf.variable shares the tensor's data; tidy drops the plain tensor object itself.
        store.add(
          spec.name,
          store.trainable
            ? tf.tidy(() => tf.variable(tf.tensor(values, spec.shape, 'float32'), true))
            : tf.tensor(values, spec.shape, 'float32'),
        );
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
      throw new WeightLoadError(
        `weight "${spec.name}" has shape [${tensor.shape.join(', ')}]; the layer needs [${spec.shape.join(', ')}].`,
      );
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
  derive(
    name: string,
    source: WeightSpec,
    compute: (input: tf.Tensor) => tf.Tensor,
    inverse: (derived: tf.Tensor) => tf.Tensor = compute,
  ): tf.Tensor {
    const input = this.take(source);
    const derived = tf.tidy(() => compute(input));
    this.derivedFrom.set(source.name, { name, inverse });
    input.dispose();
    this.tensors.delete(source.name);
    this.add(name, derived);
    this.taken.add(name);
    return derived;
  }

  /** The weight a spec names in its HF layout (a derived copy is turned back); the caller owns the result. */
  read(spec: WeightSpec): tf.Tensor {
    const own = this.tensors.get(spec.name);
    if (own !== undefined) return tf.clone(own);
    const derived = this.derivedFrom.get(spec.name);
    const tensor = derived === undefined ? undefined : this.tensors.get(derived.name);
    if (derived === undefined || tensor === undefined) throw new WeightLoadError(`missing weight "${spec.name}".`);
    return tf.tidy(() => derived.inverse(tensor));
  }

  /** Every weight as a trainable variable by HF name (a trainable store only). */
  variables(): Map<string, tf.Variable> {
    if (!this.trainable)
      throw new WeightLoadError('these weights were not loaded as trainable; load the model with { trainable: true } to train it.');
    return new Map([...this.tensors].map(([name, t]) => [name, t as tf.Variable]));
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}
