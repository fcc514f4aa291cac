/** Reads a whole text file named by a flag, with a one-line error naming it. */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';

export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
}
