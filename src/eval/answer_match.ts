/**
 * DPR's answer matching, letter for letter from facebookresearch/DPR `dpr/data/qa_validation.py`
 * (`has_answer`, `regex_match`, `exact_match_score`, `_normalize_answer`) and
 * `dpr/utils/tokenizers.py` (`SimpleTokenizer`). Retrieval accuracy in DPR's tables is defined by
 * these rules, so a number computed with any other matching is not comparable to theirs.
 */
import { InputError } from '../errors.js';
import { translatePythonRegex, type TranslatedPattern } from './python_regex.js';
import { PY_ASCII_PUNCTUATION, PY_STR_WHITESPACE, PY_WORD_CHARS } from './unicode_classes.js';

export type AnswerMatch = 'string' | 'regex';
export const ANSWER_MATCH_TYPES: readonly AnswerMatch[] = ['string', 'regex'];

export interface HasAnswerOptions {
  /** 'string' (DPR's default): uncased SimpleTokenizer token runs; 'regex': answers are patterns. */
  match?: AnswerMatch;
}

/**
 * SimpleTokenizer's pattern `(\p{L}\p{N}\p{M}+)|([^\p{Z}\p{C}])` (compiled in DPR with
 * IGNORECASE|UNICODE|MULTILINE, which change nothing for these classes — checked over every code
 * point): runs of letters/digits/marks, or any single other visible character.
 */
const SIMPLE_TOKEN = /[\p{L}\p{N}\p{M}]+|[^\p{Z}\p{C}]/giu;

/** `SimpleTokenizer().tokenize(text).words(uncased=True)`. */
export function simpleTokenize(text: string, uncased = true): string[] {
  const words = text.match(SIMPLE_TOKEN) ?? [];
  return uncased ? words.map((w) => w.toLowerCase()) : words;
}

/** `has_answer(answers, text, SimpleTokenizer(), match_type)`. */
export function hasAnswer(answers: readonly string[], text: string, options: HasAnswerOptions = {}): boolean {
  const match = options.match ?? 'string';
  const normalized = text.normalize('NFD');
  if (match === 'string') {
    const words = simpleTokenize(normalized);
    return answers.some((answer) => containsRun(words, simpleTokenize(answer.normalize('NFD'))));
  }
  if (match === 'regex') {
    return answers.some((answer) => {
      const compiled = compilePattern(answer.normalize('NFD'));
      return compiled.valid && compiled.regexp.test(normalized);
    });
  }
  throw new InputError(`options.match must be one of ${ANSWER_MATCH_TYPES.join(', ')}; got ${JSON.stringify(match)}.`);
}

/** DPR's loop: the answer's tokens equal some contiguous slice of the text's (an empty answer always does). */
function containsRun(words: readonly string[], run: readonly string[]): boolean {
  outer: for (let i = 0; i + run.length <= words.length; i++) {
    for (let j = 0; j < run.length; j++) if (words[i + j] !== run[j]) continue outer;
    return true;
  }
  return false;
}

// An evaluation checks the same few answer patterns against up to 100 passages per question.
const PATTERN_CACHE_LIMIT = 4096;
const patternCache = new Map<string, TranslatedPattern>();

function compilePattern(pattern: string): TranslatedPattern {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    compiled = translatePythonRegex(pattern);
    if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

/** `\b(a|an|the)\b` with Python's Unicode word boundary (the regex module's `\w`). */
const ARTICLES = new RegExp(`(?<![${PY_WORD_CHARS}])(?:a|an|the)(?![${PY_WORD_CHARS}])`, 'gu');

/** SQuAD's `_normalize_answer`: lower, drop ASCII punctuation, drop a/an/the, squeeze whitespace. */
export function normalizeAnswer(s: string): string {
  const lowered = s.toLowerCase();
  let noPunct = '';
  for (const ch of lowered) if (!PY_ASCII_PUNCTUATION.has(ch)) noPunct += ch;
  const noArticles = noPunct.replace(ARTICLES, ' ');
  return noArticles
    .split(PY_STR_WHITESPACE)
    .filter((w) => w !== '')
    .join(' ');
}

/** DPR's `exact_match_score(prediction, ground_truth)`. */
export function exactMatch(prediction: string, gold: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(gold);
}

/** The best exact match over several gold answers (DPR's reader evaluation takes any). */
export function exactMatchAny(prediction: string, golds: readonly string[]): boolean {
  return golds.some((gold) => exactMatch(prediction, gold));
}
