/**
 * Mirrors HF `WordpieceTokenizer` (transformers/models/bert/tokenization_bert.py): greedy
 * longest-match-first over the vocabulary, continuation pieces prefixed with "##", and a word of
 * more than `max_input_chars_per_word` characters (code points, as Python counts) — or one that
 * cannot be covered — becomes the unknown token as a whole.
 */
import type { AlignedWord } from './basic_tokenizer.js';

/** Tokens with the UTF-16 range of the original text each stands for. */
export interface AlignedTokens {
  tokens: string[];
  starts: number[];
  ends: number[];
}

export class WordpieceTokenizer {
  readonly vocab: ReadonlyMap<string, number>;
  readonly unk_token: string;
  readonly max_input_chars_per_word: number;
  /** The longest vocabulary entry in UTF-16 units: no longer candidate can match, so none is built. */
  private readonly maxEntryLength: number;

  constructor(vocab: ReadonlyMap<string, number>, unkToken: string, maxInputCharsPerWord = 100) {
    this.vocab = vocab;
    this.unk_token = unkToken;
    this.max_input_chars_per_word = maxInputCharsPerWord;
    let longest = 0;
    for (const key of vocab.keys()) if (key.length > longest) longest = key.length;
    this.maxEntryLength = longest;
  }

  /** Appends the pieces of one word (which holds no whitespace) to `out`. */
  tokenizeWord(word: AlignedWord, out: AlignedTokens): void {
    const n = word.cps.length;
    if (n === 0) return;
    const wordStart = word.starts[0]!;
    const wordEnd = word.ends[n - 1]!;
    if (n > this.max_input_chars_per_word) {
      out.tokens.push(this.unk_token);
      out.starts.push(wordStart);
      out.ends.push(wordEnd);
      return;
    }
    // UTF-16 position of each code point boundary within word.text.
    const unit: number[] = new Array<number>(n + 1);
    unit[0] = 0;
    for (let i = 0; i < n; i++) unit[i + 1] = unit[i]! + (word.cps[i]! > 0xffff ? 2 : 1);

    const pieces: string[] = [];
    const bounds: number[] = [];
    let start = 0;
    while (start < n) {
      let end = n;
      // A candidate longer (in code points) than the longest entry cannot be in the vocabulary.
      if (end - start > this.maxEntryLength) end = start + this.maxEntryLength;
      let found: string | null = null;
      while (start < end) {
        let sub = word.text.slice(unit[start]!, unit[end]!);
        if (start > 0) sub = '##' + sub;
        if (this.vocab.has(sub)) {
          found = sub;
          break;
        }
        end -= 1;
      }
      if (found === null) {
        out.tokens.push(this.unk_token);
        out.starts.push(wordStart);
        out.ends.push(wordEnd);
        return;
      }
      pieces.push(found);
      bounds.push(start, end);
      start = end;
    }
    for (let k = 0; k < pieces.length; k++) {
      out.tokens.push(pieces[k]!);
      out.starts.push(word.starts[bounds[2 * k]!]!);
      out.ends.push(word.ends[bounds[2 * k + 1]! - 1]!);
    }
  }

  /** HF `WordpieceTokenizer.tokenize(text)` for plain strings (splits on whitespace first). */
  tokenize(words: AlignedWord[]): string[] {
    const out: AlignedTokens = { tokens: [], starts: [], ends: [] };
    for (const w of words) this.tokenizeWord(w, out);
    return out.tokens;
  }
}
