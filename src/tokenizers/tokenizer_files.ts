/**
 * Reading a tokenizer directory as HF `save_pretrained` writes it: `vocab.txt` with
 * `tokenizer_config.json` and `special_tokens_map.json`, or a fast-tokenizer `tokenizer.json`
 * alone. This is the one place that touches the file system; `fromPretrained` takes what it returns.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TokenizerError } from '../errors.js';
import type { BertTokenizerOptions } from './types.js';

/** HF treats a model_max_length above this (its LARGE_INTEGER) as "no limit". */
export const LARGE_INTEGER = 1e20;

export interface TokenizerFiles {
  /** token → id, as HF `load_vocab` builds it (a later duplicate line wins). */
  vocab: Map<string, number>;
  options: BertTokenizerOptions;
  /** `tokenizer_class` from tokenizer_config.json, when there is one. */
  tokenizer_class: string | null;
  /** Which file the vocabulary came from. */
  source: 'vocab.txt' | 'tokenizer.json';
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TokenizerError(`${path} is not valid JSON (${(e as Error).message}); re-save the tokenizer with save_pretrained.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenizerError(`${path} must hold a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}.`);
  }
  return value as Record<string, unknown>;
}

/** HF `load_vocab`: one token per line (universal newlines), id = line number. */
export function parseVocabTxt(text: string): Map<string, number> {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((token, id) => vocab.set(token, id));
  return vocab;
}

/** A special token is written either as a string or as a serialized AddedToken `{content: …}`. */
function tokenString(value: unknown, file: string, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  throw new TokenizerError(`${file}: "${key}" must be a string or {"content": string}, found ${JSON.stringify(value)}.`);
}

function expectType<T>(value: unknown, check: (v: unknown) => boolean, file: string, key: string, what: string): T | undefined {
  if (value === undefined) return undefined;
  if (!check(value)) throw new TokenizerError(`${file}: "${key}" must be ${what}, found ${JSON.stringify(value)}.`);
  return value as T;
}

const SPECIAL_KEYS = ['unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

function optionsFromConfig(config: Record<string, unknown>, file: string): BertTokenizerOptions {
  const options: BertTokenizerOptions = {};
  const isBool = (v: unknown): boolean => typeof v === 'boolean';
  const boolOrNull = (v: unknown): boolean => v === null || typeof v === 'boolean';
  const set = <K extends keyof BertTokenizerOptions>(key: K, value: BertTokenizerOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('do_lower_case', expectType<boolean>(config['do_lower_case'], isBool, file, 'do_lower_case', 'true or false'));
  set('do_basic_tokenize', expectType<boolean>(config['do_basic_tokenize'], isBool, file, 'do_basic_tokenize', 'true or false'));
  set(
    'tokenize_chinese_chars',
    expectType<boolean>(config['tokenize_chinese_chars'], isBool, file, 'tokenize_chinese_chars', 'true or false'),
  );
  set('strip_accents', expectType<boolean | null>(config['strip_accents'], boolOrNull, file, 'strip_accents', 'true, false or null'));
  set(
    'clean_up_tokenization_spaces',
    expectType<boolean>(config['clean_up_tokenization_spaces'], isBool, file, 'clean_up_tokenization_spaces', 'true or false'),
  );
  set(
    'never_split',
    expectType<string[] | null>(
      config['never_split'],
      (v) => v === null || (Array.isArray(v) && v.every((t) => typeof t === 'string')),
      file,
      'never_split',
      'a list of strings or null',
    ),
  );
  const maxLength = expectType<number | null>(
    config['model_max_length'],
    (v) => v === null || (typeof v === 'number' && v >= 0),
    file,
    'model_max_length',
    'a non-negative number',
  );
  if (maxLength !== undefined) options.model_max_length = maxLength === null || maxLength > LARGE_INTEGER ? null : maxLength;
  for (const key of SPECIAL_KEYS) set(key, tokenString(config[key], file, key));
  const extra = config['additional_special_tokens'];
  if (extra !== undefined && extra !== null) {
    if (!Array.isArray(extra))
      throw new TokenizerError(`${file}: "additional_special_tokens" must be a list, found ${JSON.stringify(extra)}.`);
    options.additional_special_tokens = extra.map((t, i) => tokenString(t, file, `additional_special_tokens[${i}]`)!);
  }
  return options;
}

/** Settings of a fast-tokenizer file, when it describes a BERT WordPiece tokenizer. */
function fromTokenizerJson(json: Record<string, unknown>, file: string): { vocab: Map<string, number>; options: BertTokenizerOptions } {
  const model = json['model'] as Record<string, unknown> | null | undefined;
  // Older files omit model.type; a WordPiece model is then recognised by its fields.
  const looksLikeWordPiece =
    typeof model === 'object' &&
    model !== null &&
    model['type'] === undefined &&
    'continuing_subword_prefix' in model &&
    'max_input_chars_per_word' in model;
  if (typeof model !== 'object' || model === null || (model['type'] !== 'WordPiece' && !looksLikeWordPiece)) {
    throw new TokenizerError(
      `${file}: model.type must be "WordPiece" for a BERT/DPR tokenizer, found ${JSON.stringify(model?.['type'] ?? null)}.`,
    );
  }
  const rawVocab = model['vocab'];
  if (typeof rawVocab !== 'object' || rawVocab === null || Array.isArray(rawVocab)) {
    throw new TokenizerError(`${file}: model.vocab must be an object of token → id.`);
  }
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(rawVocab as Record<string, unknown>)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerError(`${file}: model.vocab["${token}"] must be a non-negative integer id, found ${JSON.stringify(id)}.`);
    }
    vocab.set(token, id);
  }
  if ((model['continuing_subword_prefix'] ?? '##') !== '##') {
    throw new TokenizerError(
      `${file}: continuing_subword_prefix ${JSON.stringify(model['continuing_subword_prefix'])} is not supported; BERT uses "##".`,
    );
  }
  const options: BertTokenizerOptions = {};
  const unk = model['unk_token'];
  if (typeof unk === 'string') options.unk_token = unk;
  const maxChars = model['max_input_chars_per_word'];
  if (typeof maxChars === 'number') options.max_input_chars_per_word = maxChars;

  const normalizer = json['normalizer'] as Record<string, unknown> | null | undefined;
  if (typeof normalizer !== 'object' || normalizer === null || normalizer['type'] !== 'BertNormalizer') {
    throw new TokenizerError(
      `${file}: normalizer.type must be "BertNormalizer", found ${JSON.stringify(normalizer?.['type'] ?? null)}; ` +
        'other normalizers cannot be reproduced by the BERT tokenizer.',
    );
  }
  if (normalizer['clean_text'] === false) {
    throw new TokenizerError(`${file}: normalizer.clean_text false is not supported (the BERT tokenizer always cleans text).`);
  }
  options.do_lower_case = normalizer['lowercase'] !== false;
  options.tokenize_chinese_chars = normalizer['handle_chinese_chars'] !== false;
  const strip = normalizer['strip_accents'];
  options.strip_accents = typeof strip === 'boolean' ? strip : null;

  const pre = json['pre_tokenizer'] as Record<string, unknown> | null | undefined;
  if (typeof pre !== 'object' || pre === null || pre['type'] !== 'BertPreTokenizer') {
    throw new TokenizerError(`${file}: pre_tokenizer.type must be "BertPreTokenizer", found ${JSON.stringify(pre?.['type'] ?? null)}.`);
  }
  // [CLS]/[SEP] from the post-processor (TemplateProcessing or BertProcessing).
  const post = json['post_processor'] as Record<string, unknown> | null | undefined;
  if (post && post['type'] === 'BertProcessing') {
    const cls = post['cls'];
    const sep = post['sep'];
    if (Array.isArray(cls) && typeof cls[0] === 'string') options.cls_token = cls[0];
    if (Array.isArray(sep) && typeof sep[0] === 'string') options.sep_token = sep[0];
  } else if (post && post['type'] === 'TemplateProcessing') {
    const single = post['single'];
    if (Array.isArray(single)) {
      const specials = single
        .map((p) => (p as { SpecialToken?: { id?: unknown } }).SpecialToken?.id)
        .filter((t): t is string => typeof t === 'string');
      if (specials.length === 2) {
        options.cls_token = specials[0]!;
        options.sep_token = specials[1]!;
      }
    }
  }
  const padding = json['padding'] as Record<string, unknown> | null | undefined;
  if (padding && typeof padding['pad_token'] === 'string') options.pad_token = padding['pad_token'];
  return { vocab, options };
}

/** A tokenizer_config.json / special_tokens_map.json next to either file still applies, as in HF. */
async function layeredOptions(
  base: BertTokenizerOptions,
  config: Record<string, unknown>,
  configPath: string,
  specialPath: string,
): Promise<BertTokenizerOptions> {
  const options = { ...base, ...optionsFromConfig(config, configPath) };
  if (await exists(specialPath)) Object.assign(options, optionsFromConfig(await readJson(specialPath), specialPath));
  return options;
}

async function refuseAddedTokens(addedPath: string): Promise<void> {
  if (!(await exists(addedPath))) return;
  const added = await readJson(addedPath);
  if (Object.keys(added).length > 0) {
    throw new TokenizerError(
      `${addedPath} adds tokens outside vocab.txt (${Object.keys(added).slice(0, 3).join(', ')}…), which this tokenizer does not support; ` +
        'put them in vocab.txt instead.',
    );
  }
}

/**
 * Reads a tokenizer directory. Settings are layered as HF `from_pretrained` layers them:
 * tokenizer_config.json, then special_tokens_map.json over it. `prefer` says which vocabulary
 * file wins when both exist: vocab.txt for the slow tokenizers, tokenizer.json for the fast ones.
 */
export async function readTokenizerDir(dir: string, prefer: 'vocab.txt' | 'tokenizer.json' = 'vocab.txt'): Promise<TokenizerFiles> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new TokenizerError(`tokenizer directory ${dir} does not exist; pass a directory written by save_pretrained.`);
  }
  if (!info.isDirectory())
    throw new TokenizerError(`${dir} is not a directory; pass the directory that holds vocab.txt or tokenizer.json.`);

  const vocabPath = join(dir, 'vocab.txt');
  const configPath = join(dir, 'tokenizer_config.json');
  const specialPath = join(dir, 'special_tokens_map.json');
  const fastPath = join(dir, 'tokenizer.json');

  const config = (await exists(configPath)) ? await readJson(configPath) : {};
  const tokenizerClass = typeof config['tokenizer_class'] === 'string' ? config['tokenizer_class'] : null;
  const hasVocab = await exists(vocabPath);
  const hasFast = await exists(fastPath);

  if (hasVocab && (prefer === 'vocab.txt' || !hasFast)) {
    const vocab = parseVocabTxt(await readFile(vocabPath, 'utf8'));
    const options = await layeredOptions({}, config, configPath, specialPath);
    await refuseAddedTokens(join(dir, 'added_tokens.json'));
    return { vocab, options, tokenizer_class: tokenizerClass, source: 'vocab.txt' };
  }
  if (hasFast) {
    const fast = fromTokenizerJson(await readJson(fastPath), fastPath);
    const options = await layeredOptions(fast.options, config, configPath, specialPath);
    return { vocab: fast.vocab, options, tokenizer_class: tokenizerClass, source: 'tokenizer.json' };
  }
  throw new TokenizerError(
    `${dir} holds neither vocab.txt nor tokenizer.json; a BERT/DPR tokenizer directory needs one of them ` +
      '(save_pretrained writes vocab.txt, tokenizer_config.json and special_tokens_map.json).',
  );
}
