/**
 * Text to WordPiece tokens with offsets, as HF `PreTrainedTokenizer.tokenize` runs
 * `BertTokenizer._tokenize`: special tokens are split off first (special_tokens.ts), then each run
 * of ordinary text goes through the basic tokenizer (or a plain whitespace split) and WordPiece.
 *
 * `tokenizeUpTo` bounds the work by the tokens wanted, not by the text: it reads the text in
 * pieces cut where no step of the pipeline looks across (see `isSafeCut`), and stops once it has
 * enough tokens — so a 50 MB line truncated to 512 tokens costs a few kilobytes of text.
 */
import { alignText, codePointsToString, type AlignedChars, type BasicTokenizer } from './basic_tokenizer.js';
import type { SpecialTokenMatcher } from './special_tokens.js';
import { isChineseChar, isPythonSpace } from './unicode.js';
import { TokenizerError } from '../errors.js';
import type { AlignedTokens, WordpieceTokenizer } from './wordpiece.js';

function runTooLong(from: number, maxChars: number): TokenizerError {
  return new TokenizerError(
    `the text has a run of more than max_chars (${maxChars}) characters without a space or line break, starting near character ${from}, ` +
      'which the tokenizer would have to hold whole; split the text, or raise max_chars (a tokenizer option).',
  );
}

export class TokenPipeline {
  constructor(
    private readonly basic: BasicTokenizer | null,
    private readonly wordpiece: WordpieceTokenizer,
    private readonly specialTokens: SpecialTokenMatcher,
    /** HF lowercases the text one character at a time before splitting off the special tokens. */
    private readonly lowerFirst: boolean,
  ) {
    this.splitsOnChineseChars = basic !== null && basic.tokenize_chinese_chars;
  }

  /** Whether a CJK ideograph always starts a word of its own (the basic tokenizer puts spaces around it). */
  private readonly splitsOnChineseChars: boolean;

  /**
   * Whether tokenizing text[0, i) and text[i, …) apart gives the tokens of the whole: text[i] is
   * a character that ends every word in every mode (ASCII space, tab, newline, carriage return; a
   * CJK ideograph when the basic tokenizer splits them) and that no special token contains (so no
   * special-token match can reach across). Every later step works within one word.
   */
  private isSafeCut(text: string, i: number): boolean {
    const unit = text.charCodeAt(i);
    if (unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d) return !this.specialTokens.contains(unit);
    if (!this.splitsOnChineseChars || (unit >= 0xdc00 && unit <= 0xdfff)) return false;
    const cp = text.codePointAt(i)!;
    return isChineseChar(cp) && !this.specialTokens.contains(cp);
  }

  /** The end of the next piece to read from `from`: a safe cut at least `size` units on, or the end of the text. */
  private pieceEnd(text: string, from: number, size: number, maxChars: number): number {
    if (text.length - from <= size) return text.length;
    for (let i = from + size; i < text.length; i++) {
      if (i - from > maxChars) throw runTooLong(from, maxChars);
      if (this.isSafeCut(text, i)) return i;
    }
    if (text.length - from > maxChars) throw runTooLong(from, maxChars);
    return text.length;
  }

  /**
   * The first `limit` tokens of `text` (all of them when there are fewer), reading only as much of
   * the text as they need. `limit` Infinity tokenizes the whole text, which must then be at most
   * `maxChars` UTF-16 units long.
   */
  tokenizeUpTo(text: string, limit: number, maxChars: number): AlignedTokens {
    if (limit === Infinity) {
      if (text.length > maxChars) {
        throw new TokenizerError(
          `the text has ${text.length} characters, more than max_chars (${maxChars}), and would have to be tokenized whole; ` +
            'truncate it (truncation with a max_length reads only what fits), or raise max_chars (a tokenizer option).',
        );
      }
      return this.tokenize(text);
    }
    const out: AlignedTokens = { tokens: [], starts: [], ends: [] };
    // About 8 characters per token read at a time: one piece is usually enough for English.
    const size = Math.min(maxChars, Math.max(64, limit * 8));
    let pos = 0;
    while (pos < text.length && out.tokens.length < limit) {
      const end = this.pieceEnd(text, pos, size, maxChars);
      const piece = this.tokenize(text, pos, end);
      const take = Math.min(piece.tokens.length, limit - out.tokens.length);
      for (let k = 0; k < take; k++) {
        out.tokens.push(piece.tokens[k]!);
        out.starts.push(piece.starts[k]!);
        out.ends.push(piece.ends[k]!);
      }
      pos = end;
    }
    return out;
  }

  /** Tokens of `text[from, to)` and, per token, its UTF-16 range in `text`. */
  tokenize(text: string, from = 0, to = text.length): AlignedTokens {
    const aligned = alignText(text, from, to);
    const chars = this.lowerFirst ? this.specialTokens.lowerAround(aligned) : aligned;
    const out: AlignedTokens = { tokens: [], starts: [], ends: [] };
    this.specialTokens.split(chars, {
      text: (from, to) => this.tokenizeSegment(chars, from, to, out),
      special: (token, from, to) => {
        out.tokens.push(token);
        out.starts.push(chars.starts[from]!);
        out.ends.push(chars.ends[to - 1]!);
      },
    });
    return out;
  }

  /** HF `BertTokenizer._tokenize` on chars[from, to). */
  private tokenizeSegment(chars: AlignedChars, from: number, to: number, out: AlignedTokens): void {
    if (to <= from) return;
    if (this.basic === null) {
      this.whitespaceWordPieces(chars, from, to, out);
      return;
    }
    for (const w of this.basic.tokenizeAligned(chars, from, to, this.specialTokens.tokens)) {
      if (this.basic.never_split.has(w.text)) {
        out.tokens.push(w.text);
        out.starts.push(w.starts[0]!);
        out.ends.push(w.ends[w.ends.length - 1]!);
      } else {
        this.wordpiece.tokenizeWord(w, out);
      }
    }
  }

  /** Without the basic tokenizer, WordPiece splits on (Python) whitespace only. */
  private whitespaceWordPieces(chars: AlignedChars, from: number, to: number, out: AlignedTokens): void {
    let start = -1;
    for (let i = from; i <= to; i++) {
      const boundary = i === to || isPythonSpace(chars.cps[i]!);
      if (boundary) {
        if (start >= 0) {
          const cps = chars.cps.slice(start, i);
          this.wordpiece.tokenizeWord(
            { cps, starts: chars.starts.slice(start, i), ends: chars.ends.slice(start, i), text: codePointsToString(cps) },
            out,
          );
        }
        start = -1;
      } else if (start < 0) {
        start = i;
      }
    }
  }
}
