/**
 * The files HF `save_pretrained` writes for the BERT/DPR tokenizers, as text: `vocab.txt`,
 * `tokenizer_config.json` and `special_tokens_map.json` as transformers writes them (sorted keys,
 * two-space indent), and `tokenizer.json` for the fast tokenizers, in the HF `tokenizers` format
 * (BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing). No file system here (that is
 * save_pretrained.ts), so this runs anywhere.
 */
import { TokenizerError } from '../errors.js';

/** What a saved tokenizer is made of: the resolved settings of a constructed tokenizer. */
export interface TokenizerState {
  /** HF class name without "Fast" (HF writes the slow name for both). */
  tokenizer_class: string;
  fast: boolean;
  vocab: ReadonlyMap<string, number>;
  do_lower_case: boolean;
  do_basic_tokenize: boolean;
  never_split: readonly string[] | null;
  tokenize_chinese_chars: boolean;
  strip_accents: boolean | null;
  unk_token: string;
  sep_token: string;
  pad_token: string;
  cls_token: string;
  mask_token: string;
  additional_special_tokens: readonly string[];
  model_max_length: number | null;
  clean_up_tokenization_spaces: boolean;
  max_input_chars_per_word: number;
  all_special_tokens: readonly string[];
}

/** Python `json.dumps(obj, indent=2, sort_keys=True)` for flat objects of JSON values, plus "\n". */
function sortedJson(obj: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) sorted[key] = obj[key];
  return JSON.stringify(sorted, null, 2) + '\n';
}

/** HF `BertTokenizer.save_vocabulary`: tokens by id, one a line. Ids must be 0..n-1, or reloading would renumber them. */
function vocabTxt(vocab: ReadonlyMap<string, number>): string {
  const byId = new Array<string | undefined>(vocab.size);
  for (const [token, id] of vocab) {
    if (id >= vocab.size || byId[id] !== undefined) {
      throw new TokenizerError(
        `the vocabulary's ids are not 0..${vocab.size - 1} (token ${JSON.stringify(token)} has id ${id}), so vocab.txt would renumber them; ` +
          'save a tokenizer whose vocabulary has one token per id (a vocab.txt without duplicate lines).',
      );
    }
    byId[id] = token;
  }
  if (byId.some((t) => t !== undefined && /[\r\n]/.test(t))) {
    throw new TokenizerError('a vocabulary token contains a line break, which vocab.txt (one token per line) cannot hold.');
  }
  return byId.map((t) => `${t!}\n`).join('');
}

function tokenizerConfigJson(s: TokenizerState): string {
  const config: Record<string, unknown> = {
    cls_token: s.cls_token,
    do_basic_tokenize: s.do_basic_tokenize,
    do_lower_case: s.do_lower_case,
    mask_token: s.mask_token,
    never_split: s.never_split === null || s.never_split.length === 0 ? null : [...s.never_split],
    pad_token: s.pad_token,
    sep_token: s.sep_token,
    strip_accents: s.strip_accents,
    tokenize_chinese_chars: s.tokenize_chinese_chars,
    tokenizer_class: s.tokenizer_class,
    unk_token: s.unk_token,
  };
  // Without a known limit HF writes nothing here and falls back to "no limit" on loading.
  if (s.model_max_length !== null) config['model_max_length'] = s.model_max_length;
  if (s.additional_special_tokens.length > 0) config['additional_special_tokens'] = [...s.additional_special_tokens];
  if (!s.clean_up_tokenization_spaces) config['clean_up_tokenization_spaces'] = false;
  return sortedJson(config);
}

function specialTokensMapJson(s: TokenizerState): string {
  const map: Record<string, unknown> = {
    cls_token: s.cls_token,
    mask_token: s.mask_token,
    pad_token: s.pad_token,
    sep_token: s.sep_token,
    unk_token: s.unk_token,
  };
  if (s.additional_special_tokens.length > 0) map['additional_special_tokens'] = [...s.additional_special_tokens];
  return sortedJson(map);
}

/** The fast-tokenizer file HF's BertConverter builds for the same settings. */
function tokenizerJson(s: TokenizerState): string {
  if (!s.do_basic_tokenize) {
    throw new TokenizerError(
      'tokenizer.json cannot express do_basic_tokenize: false (its BertPreTokenizer always splits on punctuation); ' +
        'save the slow tokenizer (vocab.txt) instead, or use do_basic_tokenize: true.',
    );
  }
  const id = (t: string): number => s.vocab.get(t) ?? s.vocab.get(s.unk_token)!;
  const added = s.all_special_tokens
    .filter((t) => s.vocab.has(t))
    .map((t) => ({ id: id(t), special: true, content: t, single_word: false, lstrip: false, rstrip: false, normalized: false }))
    .sort((a, b) => a.id - b.id);
  const special = (t: string, typeId: number): unknown => ({ SpecialToken: { id: t, type_id: typeId } });
  const sequence = (name: string, typeId: number): unknown => ({ Sequence: { id: name, type_id: typeId } });
  const vocab: Record<string, number> = {};
  for (const [t, i] of [...s.vocab].sort((a, b) => a[1] - b[1])) vocab[t] = i;
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: s.tokenize_chinese_chars,
      strip_accents: s.strip_accents,
      lowercase: s.do_lower_case,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(s.cls_token, 0), sequence('A', 0), special(s.sep_token, 0)],
      pair: [special(s.cls_token, 0), sequence('A', 0), special(s.sep_token, 0), sequence('B', 1), special(s.sep_token, 1)],
      special_tokens: {
        [s.cls_token]: { id: s.cls_token, ids: [id(s.cls_token)], tokens: [s.cls_token] },
        [s.sep_token]: { id: s.sep_token, ids: [id(s.sep_token)], tokens: [s.sep_token] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: s.clean_up_tokenization_spaces },
    model: {
      type: 'WordPiece',
      unk_token: s.unk_token,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: s.max_input_chars_per_word,
      vocab,
    },
  };
  return JSON.stringify(json, null, 2) + '\n';
}

/** The files of a saved tokenizer, name → content, in the order HF writes them. */
export function tokenizerFiles(s: TokenizerState): Map<string, string> {
  const files = new Map<string, string>();
  files.set('tokenizer_config.json', tokenizerConfigJson(s));
  files.set('special_tokens_map.json', specialTokensMapJson(s));
  files.set('vocab.txt', vocabTxt(s.vocab));
  if (s.fast) files.set('tokenizer.json', tokenizerJson(s));
  return files;
}

/** The parts of a tokenizer that saving reads. */
export interface SavableTokenizer {
  readonly is_fast: boolean;
  readonly vocab: ReadonlyMap<string, number>;
  readonly do_lower_case: boolean;
  readonly do_basic_tokenize: boolean;
  readonly unk_token: string;
  readonly sep_token: string;
  readonly pad_token: string;
  readonly cls_token: string;
  readonly mask_token: string;
  readonly additional_special_tokens: readonly string[];
  readonly model_max_length: number | null;
  readonly clean_up_tokenization_spaces: boolean;
  readonly wordpiece_tokenizer: { readonly max_input_chars_per_word: number };
  readonly all_special_tokens: readonly string[];
}

/** The state to save: what the tokenizer exposes, plus the constructor settings only saving needs. */
export function tokenizerState(
  t: SavableTokenizer,
  settings: Pick<TokenizerState, 'never_split' | 'tokenize_chinese_chars' | 'strip_accents'>,
): TokenizerState {
  return {
    ...settings,
    // HF writes the slow class's name for a fast tokenizer too.
    tokenizer_class: t.constructor.name.replace(/Fast$/, ''),
    fast: t.is_fast,
    vocab: t.vocab,
    do_lower_case: t.do_lower_case,
    do_basic_tokenize: t.do_basic_tokenize,
    unk_token: t.unk_token,
    sep_token: t.sep_token,
    pad_token: t.pad_token,
    cls_token: t.cls_token,
    mask_token: t.mask_token,
    additional_special_tokens: t.additional_special_tokens,
    model_max_length: t.model_max_length,
    clean_up_tokenization_spaces: t.clean_up_tokenization_spaces,
    max_input_chars_per_word: t.wordpiece_tokenizer.max_input_chars_per_word,
    all_special_tokens: t.all_special_tokens,
  };
}
