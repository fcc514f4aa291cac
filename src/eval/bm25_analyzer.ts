/**
 * The text analysis behind BM25, shaped after Anserini's DefaultEnglishAnalyzer (which built
 * Pyserini's `wikipedia-dpr` index): Unicode (UAX #29) word segmentation as Lucene's
 * StandardTokenizer does, lowercasing, Lucene's English stop words, Porter stemming. It is close
 * to, not byte-identical with, Lucene's: ICU's segmenter keeps CJK runs together where Lucene
 * emits one ideograph per token, and there is no 255-character token limit.
 */
import { stemmer } from 'stemmer';

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET. */
export const LUCENE_ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  ('a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to ' +
    'was will with').split(' '),
);

/** Names the analysis in the saved index, so a different one is refused at load rather than mixed. */
export const BM25_ANALYZER_NAME = 'uax29-lowercase-lucene_english_stop-porter';

const segmenter = new Intl.Segmenter('en', { granularity: 'word' });

export function analyzeForBm25(text: string): string[] {
  const terms: string[] = [];
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    if (!isWordLike) continue;
    const lower = segment.toLowerCase();
    if (LUCENE_ENGLISH_STOP_WORDS.has(lower)) continue;
    terms.push(stemmer(lower));
  }
  return terms;
}
