/**
 * Opening and reading weight files (safetensors, torch.save zip and legacy checkpoints): every
 * failure is a WeightLoadError naming the file.
 */
import { openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { WeightLoadError } from '../errors.js';

/** Throws a WeightLoadError that starts with the file's name and ends with its full path. */
export function failIn(file: string, problem: string): never {
  throw new WeightLoadError(`${basename(file)}: ${problem} (file ${file}).`);
}

export function openForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new WeightLoadError(`cannot open ${path}: ${(e as Error).message}`);
  }
}

/** Reads exactly `length` bytes at `position`, or fails naming `what` (the file is too short). */
export function readExactly(fd: number, length: number, position: number, file: string, what: string): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) failIn(file, `unexpected end of file while reading ${what} (the file is truncated)`);
    done += n;
  }
  return buffer;
}
