/**
 * Mirrors HF `BasicTokenizer` (transformers/models/bert/tokenization_bert.py): text cleaning,
 * CJK splitting, whitespace splitting, lowercasing, accent stripping, punctuation splitting.
 *
 * It works on an aligned character sequence: every code point carries the UTF-16 range
 * [start, end) of the input text it came from, so that each final token can report offsets that
 * slice back to the original text (what HF's fast tokenizers call `offset_mapping`).
 */
import {
  isChineseChar,
  isControl,
  isPunctuation,
  isPythonSpace,
  isWhitespace,
  lowerCodePoint,
  stripAccents,
  stripAccentsCodePoint,
} from './unicode.js';

/** Code points with, for each, the UTF-16 range of the original text it stands for. */
export interface AlignedChars {
  cps: number[];
  starts: number[];
  ends: number[];
}

/** One word: its text and its aligned code points. */
export interface AlignedWord extends AlignedChars {
  text: string;
}

export interface BasicTokenizerOptions {
  do_lower_case?: boolean;
  never_split?: Iterable<string> | null;
  tokenize_chinese_chars?: boolean;
  /** null: strip accents exactly when lowercasing (HF's default). */
  strip_accents?: boolean | null;
}

/** The code points of `text[from, to)` aligned to themselves (UTF-16 offsets into the whole text). */
export function alignText(text: string, from = 0, to = text.length): AlignedChars {
  const cps: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let i = from;
  while (i < to) {
    // A surrogate pair is read as one code point only when both halves are inside [from, to).
    const cp = i + 1 < to ? text.codePointAt(i)! : text.charCodeAt(i);
    const width = cp > 0xffff ? 2 : 1;
    cps.push(cp);
    starts.push(i);
    ends.push(i + width);
    i += width;
  }
  return { cps, starts, ends };
}

export function codePointsToString(cps: number[], from = 0, to = cps.length): string {
  let s = '';
  // fromCodePoint on small chunks: spreading a huge array would overflow the call stack.
  for (let i = from; i < to; i += 4096) s += String.fromCodePoint(...cps.slice(i, Math.min(to, i + 4096)));
  return s;
}

function makeWord(cps: number[], starts: number[], ends: number[]): AlignedWord {
  return { cps, starts, ends, text: codePointsToString(cps) };
}

function isAscii(cps: number[]): boolean {
  for (const cp of cps) if (cp >= 0x80) return false;
  return true;
}

/**
 * Applies a per-character mapping to a word, keeping the alignment. `whole` is what HF computes
 * on the whole word; when the per-character result differs from it (context-dependent lowercasing,
 * canonical reordering), HF's text wins and every character gets the word's full range.
 */
function mapWord(word: AlignedWord, perChar: (cp: number) => number[] | number, whole: (s: string) => string): AlignedWord {
  const cps: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < word.cps.length; i++) {
    const m = perChar(word.cps[i]!);
    if (typeof m === 'number') {
      cps.push(m);
      starts.push(word.starts[i]!);
      ends.push(word.ends[i]!);
    } else {
      for (const c of m) {
        cps.push(c);
        starts.push(word.starts[i]!);
        ends.push(word.ends[i]!);
      }
    }
  }
  const mapped = makeWord(cps, starts, ends);
  if (isAscii(word.cps)) return mapped;
  const expected = whole(word.text);
  if (expected === mapped.text) return mapped;
  const coarse = alignText(expected);
  const s = word.starts[0] ?? 0;
  const e = word.ends[word.ends.length - 1] ?? s;
  return { cps: coarse.cps, starts: coarse.cps.map(() => s), ends: coarse.cps.map(() => e), text: expected };
}

const lowerWhole = (s: string): string => s.toLowerCase();

export class BasicTokenizer {
  readonly do_lower_case: boolean;
  readonly never_split: ReadonlySet<string>;
  readonly tokenize_chinese_chars: boolean;
  readonly strip_accents: boolean | null;

  constructor(options: BasicTokenizerOptions = {}) {
    this.do_lower_case = options.do_lower_case ?? true;
    this.never_split = new Set(options.never_split ?? []);
    this.tokenize_chinese_chars = options.tokenize_chinese_chars ?? true;
    this.strip_accents = options.strip_accents ?? null;
  }

  /** HF `BasicTokenizer.tokenize(text, never_split)`. */
  tokenize(text: string, neverSplit?: Iterable<string>): string[] {
    return this.tokenizeAligned(alignText(text), 0, undefined, neverSplit).map((w) => w.text);
  }

  /**
   * Tokenizes `chars[from, to)`. `neverSplit` adds to the constructor's set for this call, as HF's
   * `never_split` argument does (BertTokenizer passes its special tokens here).
   */
  tokenizeAligned(chars: AlignedChars, from = 0, to: number = chars.cps.length, neverSplit?: Iterable<string>): AlignedWord[] {
    let never = this.never_split;
    if (neverSplit !== undefined) {
      const union = new Set(this.never_split);
      for (const t of neverSplit) union.add(t);
      never = union;
    }
    // _clean_text + _tokenize_chinese_chars + whitespace_tokenize, in one pass.
    const words: AlignedWord[] = [];
    let cps: number[] = [];
    let starts: number[] = [];
    let ends: number[] = [];
    const flush = (): void => {
      if (cps.length > 0) words.push(makeWord(cps, starts, ends));
      cps = [];
      starts = [];
      ends = [];
    };
    for (let i = from; i < to; i++) {
      const cp = chars.cps[i]!;
      if (cp === 0 || cp === 0xfffd || isControl(cp)) continue;
      if (isWhitespace(cp) || isPythonSpace(cp)) {
        flush();
        continue;
      }
      if (this.tokenize_chinese_chars && isChineseChar(cp)) {
        flush();
        words.push(makeWord([cp], [chars.starts[i]!], [chars.ends[i]!]));
        continue;
      }
      cps.push(cp);
      starts.push(chars.starts[i]!);
      ends.push(chars.ends[i]!);
    }
    flush();

    const out: AlignedWord[] = [];
    for (let word of words) {
      if (never.has(word.text)) {
        out.push(word);
        continue;
      }
      if (this.do_lower_case) {
        word = mapWord(word, lowerCodePoint, lowerWhole);
        if (this.strip_accents !== false) word = mapWord(word, stripAccentsCodePoint, stripAccents);
      } else if (this.strip_accents === true) {
        word = mapWord(word, stripAccentsCodePoint, stripAccents);
      }
      this.splitOnPunctuation(word, out);
    }
    return out;
  }

  /** HF `_run_split_on_punc`; empty pieces (a word that was only accents) disappear, as HF's re-split drops them. */
  private splitOnPunctuation(word: AlignedWord, out: AlignedWord[]): void {
    let start = 0;
    const n = word.cps.length;
    for (let i = 0; i < n; i++) {
      if (!isPunctuation(word.cps[i]!)) continue;
      if (i > start) out.push(slice(word, start, i));
      out.push(slice(word, i, i + 1));
      start = i + 1;
    }
    if (start === 0 && n > 0) out.push(word);
    else if (n > start) out.push(slice(word, start, n));
  }
}

function slice(word: AlignedWord, from: number, to: number): AlignedWord {
  return makeWord(word.cps.slice(from, to), word.starts.slice(from, to), word.ends.slice(from, to));
}
