/**
 * HF `PreTrainedTokenizer.tokenize`'s handling of special tokens, before the model's own
 * tokenizer runs: they are matched in the raw text (longest first, `unique_no_split_tokens`) and
 * never split, and — when the tokenizer lowercases — the text around them is lowercased first,
 * one character at a time, by a regex `(special|…)|(.+?)`.
 */
import type { AlignedChars } from './basic_tokenizer.js';
import { lowerCodePoint } from './unicode.js';

/** A piece of the text: a run of ordinary text [from, to), or a special token at `from`. */
export type SpecialTokenVisitor = {
  text(from: number, to: number): void;
  special(token: string, from: number, to: number): void;
};

function matchesAt(cps: readonly number[], i: number, token: readonly number[]): boolean {
  if (token.length === 0 || i + token.length > cps.length) return false;
  for (let j = 0; j < token.length; j++) if (cps[i + j] !== token[j]) return false;
  return true;
}

export class SpecialTokenMatcher {
  /** HF `unique_no_split_tokens`: sorted, without duplicates. */
  readonly tokens: readonly string[];
  private readonly codePoints: number[][];
  private readonly firstCodePoints: Set<number>;
  private readonly allCodePoints: Set<number>;

  constructor(specialTokens: Iterable<string>) {
    this.tokens = [...new Set(specialTokens)].sort();
    this.codePoints = this.tokens.map((t) => Array.from(t, (c) => c.codePointAt(0)!));
    this.firstCodePoints = new Set(this.codePoints.filter((c) => c.length > 0).map((c) => c[0]!));
    this.allCodePoints = new Set(this.codePoints.flat());
  }

  /** Whether some special token holds this code point (a cut there could split a match). */
  contains(cp: number): boolean {
    return this.allCodePoints.has(cp);
  }

  /** Index in `tokens` of the longest token starting at `i`, or -1. */
  private longestAt(cps: readonly number[], i: number): number {
    let best = -1;
    let bestLen = 0;
    for (let k = 0; k < this.codePoints.length; k++) {
      const t = this.codePoints[k]!;
      if (t.length > bestLen && matchesAt(cps, i, t)) {
        best = k;
        bestLen = t.length;
      }
    }
    return best;
  }

  /** The regex alternation of the pre-lowering step: the first listed token that matches at `i`. */
  private firstAt(cps: readonly number[], i: number): number {
    for (let k = 0; k < this.codePoints.length; k++) if (matchesAt(cps, i, this.codePoints[k]!)) return k;
    return -1;
  }

  /** Visits the text runs and the special tokens of `chars`, in order. */
  split(chars: AlignedChars, visit: SpecialTokenVisitor): void {
    const { cps } = chars;
    let segmentStart = 0;
    let i = 0;
    while (i < cps.length) {
      const match = this.firstCodePoints.has(cps[i]!) ? this.longestAt(cps, i) : -1;
      if (match < 0) {
        i++;
        continue;
      }
      visit.text(segmentStart, i);
      const len = this.codePoints[match]!.length;
      visit.special(this.tokens[match]!, i, i + len);
      i += len;
      segmentStart = i;
    }
    visit.text(segmentStart, cps.length);
  }

  /**
   * Lowercases everything but the special tokens, per character: no final-sigma context, so
   * "ΟΔΟΣ" becomes "οδοσ", not "οδος".
   */
  lowerAround(chars: AlignedChars): AlignedChars {
    const out: AlignedChars = { cps: [], starts: [], ends: [] };
    const push = (cp: number, i: number): void => {
      out.cps.push(cp);
      out.starts.push(chars.starts[i]!);
      out.ends.push(chars.ends[i]!);
    };
    const src = chars.cps;
    let i = 0;
    while (i < src.length) {
      const k = this.firstCodePoints.has(src[i]!) ? this.firstAt(src, i) : -1;
      if (k >= 0) {
        const len = this.codePoints[k]!.length;
        for (let j = 0; j < len; j++) push(src[i + j]!, i + j);
        i += len;
        continue;
      }
      const lowered = lowerCodePoint(src[i]!);
      if (typeof lowered === 'number') push(lowered, i);
      else for (const c of lowered) push(c, i);
      i++;
    }
    return out;
  }
}
