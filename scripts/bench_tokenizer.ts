/**
 * Tokenizer throughput on a realistic passage mix: ~100-word English passages with punctuation,
 * numbers, accented names and a little CJK, tokenized as DPR does (special tokens, truncation to
 * 512), with the real bert-base-uncased vocabulary from the reference data.
 *
 *   node --import tsx scripts/bench_tokenizer.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/models/random_weights.js';
import { BertTokenizer, parseVocabTxt } from '../src/tokenizers/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function vocabPath(): string {
  const dir = process.env['DPR_REFERENCE_DIR'] ?? join(ROOT, '..', 'shared', 'reference');
  const path = join(dir, 'vocab', 'bert-base-uncased-vocab.txt');
  if (!existsSync(path)) throw new Error(`vocabulary not found at ${path}; set DPR_REFERENCE_DIR to the shared/reference directory.`);
  return path;
}

const WORDS = (
  'the of and in to a was is for on as by with from that at his it an were which be this are has had first ' +
  'also its new after who their been other one two they all more when there some most into over city state ' +
  'university government population during between including under national world history century known ' +
  'river church school war album team season film music series company published according located ' +
  'tower physics prize nobel painting architecture parliament election championship tournament district ' +
  'approximately significant international constitutional mathematician philosopher independence'
).split(' ');
const NAMES = ['Röntgen', 'Gödel', 'Dvořák', 'São Paulo', 'Zürich', 'Ångström', 'Béla Bartók', 'Kraków', 'Málaga', 'Eiffel'];
const CJK = ['北京', '東京都', '中华人民共和国', '𠮷野家'];
const PUNCT = [',', ',', '.', ';', ':', ' (', ')', "'s", '-'];

export function makePassages(count: number, seed = 1234): string[] {
  const r = seededRandom(seed); // deterministic, so runs are comparable
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: string[] = [];
  for (let p = 0; p < count; p++) {
    const parts: string[] = [];
    const n = 80 + Math.floor(r() * 40);
    let capital = true;
    for (let w = 0; w < n; w++) {
      const x = r();
      let word: string;
      if (x < 0.04) word = pick(NAMES);
      else if (x < 0.07) word = String(Math.floor(r() * 3000));
      else if (x < 0.08) word = `${(r() * 100).toFixed(2)}%`;
      else if (x < 0.085) word = pick(CJK);
      else word = pick(WORDS);
      if (capital) word = word.charAt(0).toUpperCase() + word.slice(1);
      capital = false;
      parts.push(word);
      const y = r();
      if (y < 0.08) {
        parts.push('. ');
        capital = true;
      } else if (y < 0.16) {
        parts.push(pick(PUNCT) + ' ');
      } else {
        parts.push(' ');
      }
    }
    out.push(
      parts
        .join('')
        .replace(/\s+([,.;:)])/g, '$1')
        .trim() + '.',
    );
  }
  return out;
}

export async function benchTokenizer(): Promise<Array<Record<string, unknown>>> {
  const tokenizer = new BertTokenizer(parseVocabTxt(readFileSync(vocabPath(), 'utf8')), { model_max_length: 512 });
  const passages = makePassages(2000);
  const bytes = passages.reduce((s, p) => s + Buffer.byteLength(p, 'utf8'), 0);
  // Warm-up: fills the character-class tables and lets the JIT settle.
  for (const p of passages.slice(0, 200)) tokenizer.encode(p, null, { truncation: true });

  const rows: Array<Record<string, unknown>> = [];
  const run = (label: string, fn: (p: string) => number): void => {
    let texts = 0;
    let tokens = 0;
    let processedBytes = 0;
    const t0 = performance.now();
    let elapsed = 0;
    while (elapsed < 1500) {
      for (const p of passages) tokens += fn(p);
      texts += passages.length;
      processedBytes += bytes;
      elapsed = performance.now() - t0;
    }
    const seconds = elapsed / 1000;
    rows.push({
      workload: 'tokenizer',
      variant: label,
      texts_per_s: Math.round(texts / seconds),
      mb_per_s: Number((processedBytes / 1e6 / seconds).toFixed(2)),
      tokens_per_s: Math.round(tokens / seconds),
      avg_tokens: Number((tokens / texts).toFixed(1)),
    });
  };
  run('encode (truncation 512)', (p) => tokenizer.encode(p, null, { truncation: true }).input_ids.length);
  run('encode + offsets', (p) => tokenizer.encode(p, null, { truncation: true, return_offsets_mapping: true }).input_ids.length);
  return rows;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await benchTokenizer();
  console.table(rows);
}
