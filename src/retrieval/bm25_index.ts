/**
 * A BM25 index of passages, the sparse half of hybrid retrieval, kept as one file beside a dense
 * index and loaded without re-analysing the corpus.
 *
 * Scoring is Lucene's BM25Similarity, what Pyserini's DPR runs use (k1 = 0.9, b = 0.4):
 *   score(q, p) = Σ_{t ∈ q} idf(t) · tf / (tf + k1 · (1 − b + b · L(p) / avgdl)),
 *   idf(t) = ln(1 + (N − n_t + 0.5) / (n_t + 0.5)),
 * with avgdl the exact mean length and L(p) the length as Lucene stores it: one byte
 * (SmallFloat.intToByte4: exact below 24 tokens, then 4 significant bits). A query term that
 * occurs twice counts twice, as in Anserini's bag-of-words queries.
 *
 * Why not an npm engine: the ones measured either score something else (MiniSearch: BM25+ with
 * document length = distinct terms and a matched-terms multiplier; Orama: length-normalised tf) or
 * were too slow to index a corpus (wink-bm25-text-search: 0.8 ms per passage and 38 ms per query at
 * 10k passages, a 24 MB JSON file). This is a plain inverted index in typed arrays (little-endian int32).
 */
import { InputError } from '../errors.js';
import { analyzeForBm25, BM25_ANALYZER_NAME } from './bm25_analyzer.js';

export interface Bm25Params {
  k1: number;
  b: number;
}

/** Pyserini's defaults for its DPR (wikipedia-dpr) BM25 runs. */
export const PYSERINI_BM25_PARAMS: Readonly<Bm25Params> = { k1: 0.9, b: 0.4 };

/** File name of the BM25 index inside an index directory. */
export const BM25_INDEX_FILE = 'bm25.bin';
export const BM25_FORMAT = 'tfjs-dpr-bm25';
const BM25_FORMAT_VERSION = 1;
const MAGIC = 'DPRBM25\n';

export interface Bm25Passage {
  id: string;
  text: string;
  title?: string;
}

export interface ScoredPassageId {
  id: string;
  /** The passage's position in the corpus it was built from (the dense index's row, when built beside one). */
  row: number;
  score: number;
}

interface Header {
  format: string;
  version: number;
  analyzer: string;
  params: Bm25Params;
  ids: string[];
  vocabulary: string[];
  postings: number;
}

/** Lucene's SmallFloat.intToByte4 then byte4ToInt: the document length BM25 actually sees. */
export function luceneStoredLength(length: number): number {
  const FREE = 24; // 255 − intToByte4(Integer.MAX_VALUE)
  if (length < FREE) return length;
  const rest = length - FREE;
  const bits = 32 - Math.clz32(rest);
  if (bits < 4) return FREE + rest;
  const shift = bits - 4;
  return FREE + (((rest >>> shift) & 0x07) | 0x08) * 2 ** shift;
}

/** What is indexed for a passage: title and text, as in Pyserini's wikipedia-dpr `contents`. */
function contents(passage: Bm25Passage): string {
  return passage.title ? `${passage.title}\n${passage.text}` : passage.text;
}

export class Bm25Index {
  private readonly termIds: Map<string, number>;
  private readonly lengthFactor: Float64Array; // k1 · (1 − b + b · L(p) / avgdl), per passage

  private constructor(
    private readonly ids: string[],
    private readonly vocabulary: string[],
    private readonly lengths: Int32Array, // tokens per passage after analysis
    private readonly offsets: Int32Array, // term t's postings are [offsets[t], offsets[t + 1])
    private readonly postingRows: Int32Array,
    private readonly postingTfs: Int32Array,
    readonly params: Readonly<Bm25Params>,
  ) {
    this.termIds = new Map(vocabulary.map((t, i) => [t, i]));
    let total = 0;
    for (const l of lengths) total += l;
    const avgdl = lengths.length > 0 ? total / lengths.length : 1;
    this.lengthFactor = Float64Array.from(lengths, (l) => params.k1 * (1 - params.b + (params.b * luceneStoredLength(l)) / (avgdl || 1)));
  }

  static build(passages: Iterable<Bm25Passage>, params: Bm25Params = PYSERINI_BM25_PARAMS): Bm25Index {
    checkParams(params);
    const ids: string[] = [];
    const lengths: number[] = [];
    const termIds = new Map<string, number>();
    const postings: number[][] = []; // per term: row, tf, row, tf, …
    for (const passage of passages) {
      const row = ids.length;
      ids.push(passage.id);
      const terms = analyzeForBm25(contents(passage));
      lengths.push(terms.length);
      const counts = new Map<string, number>();
      for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [term, tf] of counts) {
        let id = termIds.get(term);
        if (id === undefined) {
          id = postings.length;
          termIds.set(term, id);
          postings.push([]);
        }
        postings[id]!.push(row, tf);
      }
    }
    const offsets = new Int32Array(postings.length + 1);
    postings.forEach((p, t) => (offsets[t + 1] = offsets[t]! + p.length / 2));
    const rows = new Int32Array(offsets[postings.length]!);
    const tfs = new Int32Array(rows.length);
    postings.forEach((p, t) => {
      for (let j = 0; j < p.length; j += 2) {
        rows[offsets[t]! + j / 2] = p[j]!;
        tfs[offsets[t]! + j / 2] = p[j + 1]!;
      }
    });
    return new Bm25Index(ids, [...termIds.keys()], Int32Array.from(lengths), offsets, rows, tfs, { ...params });
  }

  get size(): number {
    return this.ids.length;
  }

  /** The k best passages for `query`, best first (ties: earlier passage first), scores on Lucene's scale. */
  search(query: string, k: number): ScoredPassageId[] {
    if (!Number.isInteger(k) || k <= 0) throw new InputError(`k must be a positive integer; got ${k}.`);
    const n = this.ids.length;
    const scores = new Float64Array(n);
    const touched: number[] = [];
    for (const term of analyzeForBm25(query)) {
      const t = this.termIds.get(term);
      if (t === undefined) continue;
      const start = this.offsets[t]!;
      const end = this.offsets[t + 1]!;
      const df = end - start;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let j = start; j < end; j++) {
        const row = this.postingRows[j]!;
        const tf = this.postingTfs[j]!;
        if (scores[row] === 0) touched.push(row);
        scores[row] = scores[row]! + (idf * tf) / (tf + this.lengthFactor[row]!);
      }
    }
    return touched
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, k)
      .map((row) => ({ id: this.ids[row]!, row, score: scores[row]! }));
  }

  /** The index as bytes: magic, header length, JSON header (ids, vocabulary, params), four int32 arrays. */
  toBytes(): Uint8Array {
    const header: Header = {
      format: BM25_FORMAT,
      version: BM25_FORMAT_VERSION,
      analyzer: BM25_ANALYZER_NAME,
      params: { ...this.params },
      ids: this.ids,
      vocabulary: this.vocabulary,
      postings: this.postingRows.length,
    };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const headerEnd = align4(MAGIC.length + 4 + json.length);
    const arrays = [this.lengths, this.offsets, this.postingRows, this.postingTfs];
    const bytes = new Uint8Array(headerEnd + arrays.reduce((s, a) => s + a.byteLength, 0));
    bytes.set(new TextEncoder().encode(MAGIC), 0);
    new DataView(bytes.buffer).setUint32(MAGIC.length, json.length, true);
    bytes.set(json, MAGIC.length + 4);
    let at = headerEnd;
    for (const a of arrays) {
      bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += a.byteLength;
    }
    return bytes;
  }

  /** Reads what `toBytes` wrote; `source` names the file in errors. */
  static fromBytes(bytes: Uint8Array, source = BM25_INDEX_FILE): Bm25Index {
    const fail = (what: string): never => {
      throw new InputError(`${source}: ${what}; rebuild the BM25 index.`);
    };
    if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) fail(`not a ${BM25_FORMAT} file`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const jsonLength = view.getUint32(MAGIC.length, true);
    let header: Header;
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + jsonLength))) as Header;
    } catch {
      return fail('its header is not valid JSON');
    }
    if (header.format !== BM25_FORMAT || header.version !== BM25_FORMAT_VERSION)
      fail(`version ${header.version} is not ${BM25_FORMAT_VERSION}`);
    if (header.analyzer !== BM25_ANALYZER_NAME)
      fail(`it was built with analyzer ${header.analyzer}, this version uses ${BM25_ANALYZER_NAME}`);
    const counts = [header.ids.length, header.vocabulary.length + 1, header.postings, header.postings];
    let at = align4(MAGIC.length + 4 + jsonLength);
    if (bytes.byteLength !== at + counts.reduce((s, c) => s + c * 4, 0)) fail('it is truncated or has trailing bytes');
    const [lengths, offsets, rows, tfs] = counts.map((count) => {
      const copy = new Int32Array(count); // copy: the file's buffer offset need not be 4-aligned
      new Uint8Array(copy.buffer).set(bytes.subarray(at, at + count * 4));
      at += count * 4;
      return copy;
    }) as [Int32Array, Int32Array, Int32Array, Int32Array];
    return new Bm25Index(header.ids, header.vocabulary, lengths, offsets, rows, tfs, header.params);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function checkParams(params: Bm25Params): void {
  if (!(params.k1 >= 0) || !(params.b >= 0 && params.b <= 1)) {
    throw new InputError(`BM25 needs \`k1\` >= 0 and \`b\` within 0..1; got k1 = ${params.k1}, b = ${params.b}.`);
  }
}
