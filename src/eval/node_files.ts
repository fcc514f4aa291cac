/**
 * The file side of evaluation (Node only): reading QA files.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { parseQaText, type ParseQaOptions, type QaSample } from './qa_file.js';

export async function readQaFile(path: string, options: Omit<ParseQaOptions, 'source'> = {}): Promise<QaSample[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read the QA file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  return parseQaText(text, { ...options, source: path });
}
