/**
 * Opening a weight file for reading: a failure is a WeightLoadError naming the file.
 */
import { openSync } from 'node:fs';
import { WeightLoadError } from '../errors.js';

export function openForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new WeightLoadError(`cannot open ${path}: ${(e as Error).message}`);
  }
}
