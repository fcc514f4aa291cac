/**
 * The text analysis behind BM25, shaped after Anserini's DefaultEnglishAnalyzer (which built
 * Pyserini's `wikipedia-dpr` index): Lucene's StandardTokenizer (UAX #29 word boundaries),
 * lowercasing, Lucene's English stop words, Porter stemming.
 *
 * The tokenizer is a regular expression for the UAX #29 rules that matter in running text (letters,
 * digits and marks form words; a word continues across `. ' ’ : ·` between letters and
 * `. , ; ' ’` between digits, so "U.S", "don't", "3,500" and "3.14" stay whole; each Han or
 * Hiragana character is a word of its own, as Lucene emits them). Close to Lucene's, not
 * byte-identical: no emoji tokens, no 255-character limit. (Intl.Segmenter follows UAX #29 too,
 * but was 10× slower and groups CJK by dictionary, unlike Lucene.)
 */
import { stemmer } from 'stemmer';

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET. */
export const LUCENE_ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to ' + 'was will with'
  ).split(' '),
);

/** Names the analysis in the saved index, so a different one is refused at load rather than mixed. */
export const BM25_ANALYZER_NAME = 'uax29-lowercase-lucene_english_stop-porter/1';

const IDEOGRAPH = '[\\p{sc=Han}\\p{sc=Hiragana}]';
const WORD_CHAR = '[[\\p{L}\\p{N}\\p{M}\\p{Pc}]--[\\p{sc=Han}\\p{sc=Hiragana}]]';
const JOINER = "(?:(?<=\\p{L}\\p{M}*)[.'\u2019:\u00b7](?=\\p{L})|(?<=\\p{N})[.,;'\u2019](?=\\p{N}))";
// Built at run time: the `v` flag (set difference) is newer than the compile target's regex syntax.
const WORD = new RegExp(`${IDEOGRAPH}|${WORD_CHAR}+(?:${JOINER}${WORD_CHAR}+)*`, 'gv');

// Porter stemming is the costly step and text is Zipfian: most calls repeat a word already seen.
const STEM_CACHE_LIMIT = 200_000;
const stemCache = new Map<string, string>();

function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

export function analyzeForBm25(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.matchAll(WORD)) {
    const lower = match[0].toLowerCase();
    if (!LUCENE_ENGLISH_STOP_WORDS.has(lower)) terms.push(stem(lower));
  }
  return terms;
}
