/**
 * The order in which DPR's trainer visits the data (dpr/utils/data_utils.py
 * `ShardedDataIterator.iterate_ds_sampled_data`, train_dense_encoder.py `_train_epoch`), single
 * process: each epoch shuffles all sample positions with `random.Random(seed + epoch)`, then takes
 * ⌊samples / batch size⌋ full batches in that order (the remainder is left out); before building
 * batch i (1-based) of epoch e, DPR calls `random.seed(seed + e + i)`, which drives the negative
 * pool shuffles. With `shuffle` off, positions stay in file order (the negative pools are then not
 * shuffled either).
 */
import { InputError } from '../errors.js';
import { PythonRandom } from './python_random.js';

export interface DataOrderOptions {
  batchSize: number;
  seed: number;
  shuffle: boolean;
}

/** DPR's `max_iterations`: full batches per epoch. */
export function batchesPerEpoch(samples: number, batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`batchSize must be a positive integer, found ${batchSize}.`);
  return Math.floor(samples / batchSize);
}

/** The sample positions of epoch `epoch`, in visiting order. */
export function epochOrder(samples: number, epoch: number, options: DataOrderOptions): number[] {
  const order = Array.from({ length: samples }, (_, i) => i);
  if (options.shuffle) new PythonRandom(options.seed + epoch).shuffle(order);
  return order;
}

/** The positions of batch `iteration` (0-based) of an epoch's order. */
export function batchPositions(order: readonly number[], iteration: number, batchSize: number): number[] {
  return order.slice(iteration * batchSize, (iteration + 1) * batchSize);
}

/** The generator DPR seeds before building batch `iteration` (0-based here; DPR counts from 1). */
export function negativesRandom(epoch: number, iteration: number, options: DataOrderOptions): PythonRandom | null {
  return options.shuffle ? new PythonRandom(options.seed + epoch + iteration + 1) : null;
}
