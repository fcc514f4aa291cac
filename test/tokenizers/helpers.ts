/**
 * Shared loading for the tokenizer tests: the reference vocabulary and case tables.
 */
import { readFileSync } from 'node:fs';
import { referencePath } from '../helpers/reference.js';
import { BertTokenizer, parseVocabTxt, type BertTokenizerOptions } from '../../src/tokenizers/index.js';

let vocab: Map<string, number> | null = null;

/** The real bert-base-uncased vocabulary every DPR checkpoint ships. */
export function referenceVocab(): Map<string, number> {
  vocab ??= parseVocabTxt(readFileSync(referencePath('vocab', 'bert-base-uncased-vocab.txt'), 'utf8'));
  return vocab;
}

export function bertTokenizer(options: BertTokenizerOptions = {}): BertTokenizer {
  return new BertTokenizer(referenceVocab(), { model_max_length: 512, ...options });
}

export function readCases<T>(name: string): T[] {
  return JSON.parse(readFileSync(referencePath(name), 'utf8')) as T[];
}

/** Code-point offsets (Python, Rust tokenizers) → UTF-16 offsets (JavaScript). */
export function codePointToUtf16(text: string): number[] {
  const map = [0];
  let u = 0;
  for (const ch of text) {
    u += ch.length;
    map.push(u);
  }
  return map;
}
