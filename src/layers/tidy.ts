/**
 * `tf.tidy` for functions returning a typed object of tensors. tfjs types tidy's result as a
 * `TensorContainer`, which interfaces without an index signature do not satisfy; the runtime
 * behaviour (keep every tensor reachable from the result, dispose the rest) is the same.
 */
import * as tf from '@tensorflow/tfjs-core';

export function tidyResult<T extends object>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
