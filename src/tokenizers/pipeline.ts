/**
 * Text to WordPiece tokens with offsets, as HF `PreTrainedTokenizer.tokenize` runs
 * `BertTokenizer._tokenize`: special tokens are split off first (special_tokens.ts), then each run
 * of ordinary text goes through the basic tokenizer (or a plain whitespace split) and WordPiece.
 */
import { alignText, codePointsToString, type AlignedChars, type BasicTokenizer } from './basic_tokenizer.js';
import type { SpecialTokenMatcher } from './special_tokens.js';
import { isPythonSpace } from './unicode.js';
import type { AlignedTokens, WordpieceTokenizer } from './wordpiece.js';

export class TokenPipeline {
  constructor(
    private readonly basic: BasicTokenizer | null,
    private readonly wordpiece: WordpieceTokenizer,
    private readonly specialTokens: SpecialTokenMatcher,
    /** HF lowercases the text one character at a time before splitting off the special tokens. */
    private readonly lowerFirst: boolean,
  ) {}

  /** Tokens of `text` and, per token, its UTF-16 range in `text`. */
  tokenize(text: string): AlignedTokens {
    const aligned = alignText(text);
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
          this.wordpiece.tokenizeWord({ cps, starts: chars.starts.slice(start, i), ends: chars.ends.slice(start, i), text: codePointsToString(cps) }, out);
        }
        start = -1;
      } else if (start < 0) {
        start = i;
      }
    }
  }
}
