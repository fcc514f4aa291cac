/**
 * A BM25 index of passages, the sparse half of hybrid retrieval, kept as one JSON file beside a
 * dense index and loaded without re-analysing the corpus.
 *
 * Scoring is Lucene's BM25 (what Pyserini's DPR runs use, k1 = 0.9, b = 0.4):
 *   score(q, p) = Σ_{t ∈ q} idf(t) · tf / (tf + k1 · (1 − b + b · |p| / avg|p|)),
 *   idf(t) = ln(1 + (N − n_t + 0.5) / (n_t + 0.5))
 * (a query term that occurs twice counts twice, as in Anserini's bag-of-words queries). The engine
 * is wink-bm25-text-search: the one npm BM25 engine measured that scores classic BM25 with
 * settable k1/b, counts every token in |p|, and persists; it includes the constant factor
 * (k1 + 1), which is divided out here so scores are on Lucene's scale (Pyserini's fusion weights
 * then carry over). Differences from Lucene that remain: exact document lengths (Lucene stores
 * them in one byte), term contributions rounded to 9 decimals, and the analyzer (bm25_analyzer.ts).
 */
import winkBm25 from 'wink-bm25-text-search';
import { InputError } from '../errors.js';
import { analyzeForBm25, BM25_ANALYZER_NAME } from './bm25_analyzer.js';

export interface Bm25Params {
  k1: number;
  b: number;
}

/** Pyserini's defaults for its DPR (wikipedia-dpr) BM25 runs. */
export const PYSERINI_BM25_PARAMS: Readonly<Bm25Params> = { k1: 0.9, b: 0.4 };

/** File name of the BM25 index inside an index directory. */
export const BM25_INDEX_FILE = 'bm25.json';

export const BM25_FORMAT = 'tfjs-dpr-bm25';
const BM25_FORMAT_VERSION = 1;
const WINK_FREQ_PRECISION = 9;
const MIN_PASSAGES = 3; // the engine refuses to compute IDF over fewer

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

interface SavedBm25 {
  format: string;
  version: number;
  analyzer: string;
  params: Bm25Params;
  ids: string[];
  engine: string;
}

/** What is indexed for a passage: title and text, as in Pyserini's wikipedia-dpr `contents`. */
function contents(passage: Bm25Passage): string {
  return passage.title ? `${passage.title}\n${passage.text}` : passage.text;
}

function newEngine(params: Bm25Params): ReturnType<typeof winkBm25> {
  const engine = winkBm25();
  engine.defineConfig({ fldWeights: { contents: 1 }, bm25Params: { k1: params.k1, b: params.b, k: 1 } });
  engine.definePrepTasks([(text) => analyzeForBm25(text as string)]);
  return engine;
}

export class Bm25Index {
  private constructor(
    private readonly engine: ReturnType<typeof winkBm25>,
    private readonly ids: string[],
    readonly params: Readonly<Bm25Params>,
  ) {}

  static build(passages: Iterable<Bm25Passage>, params: Bm25Params = PYSERINI_BM25_PARAMS): Bm25Index {
    checkParams(params);
    const engine = newEngine(params);
    const ids: string[] = [];
    for (const passage of passages) {
      // The row number is the engine's id: its ties then break by corpus order, not by id text.
      engine.addDoc({ contents: contents(passage) }, ids.length);
      ids.push(passage.id);
    }
    if (ids.length < MIN_PASSAGES) {
      throw new InputError(`passages: BM25 needs at least ${MIN_PASSAGES} passages to estimate term rarity; got ${ids.length}.`);
    }
    engine.consolidate(WINK_FREQ_PRECISION);
    return new Bm25Index(engine, ids, { ...params });
  }

  /** Reads what `toJSON` wrote; `source` names the file in errors. */
  static fromJSON(json: string, source = BM25_INDEX_FILE): Bm25Index {
    let saved: SavedBm25;
    try {
      saved = JSON.parse(json) as SavedBm25;
    } catch (err) {
      throw new InputError(`${source}: not a BM25 index (invalid JSON: ${(err as Error).message}); rebuild it.`);
    }
    if (saved?.format !== BM25_FORMAT || saved.version !== BM25_FORMAT_VERSION) {
      throw new InputError(`${source}: not a ${BM25_FORMAT} v${BM25_FORMAT_VERSION} file (found ${saved?.format} v${saved?.version}); rebuild it.`);
    }
    if (saved.analyzer !== BM25_ANALYZER_NAME) {
      throw new InputError(`${source}: built with analyzer ${saved.analyzer}, this version uses ${BM25_ANALYZER_NAME}; rebuild it.`);
    }
    const engine = newEngine(saved.params);
    engine.importJSON(saved.engine);
    engine.definePrepTasks([(text) => analyzeForBm25(text as string)]); // import replaced the config the tasks hang on
    return new Bm25Index(engine, saved.ids, saved.params);
  }

  toJSON(): string {
    const saved: SavedBm25 = {
      format: BM25_FORMAT,
      version: BM25_FORMAT_VERSION,
      analyzer: BM25_ANALYZER_NAME,
      params: { ...this.params },
      ids: this.ids,
      engine: this.engine.exportJSON(),
    };
    return JSON.stringify(saved);
  }

  get size(): number {
    return this.ids.length;
  }

  /** The k best passages for `query`, best first, scores on Lucene's scale. */
  search(query: string, k: number): ScoredPassageId[] {
    if (!Number.isInteger(k) || k <= 0) throw new InputError(`k must be a positive integer; got ${k}.`);
    const scale = 1 / (this.params.k1 + 1);
    return this.engine.search(query, k).map(([row, score]) => ({ id: this.ids[Number(row)]!, row: Number(row), score: score * scale }));
  }
}

function checkParams(params: Bm25Params): void {
  if (!(params.k1 >= 0) || !(params.b >= 0 && params.b <= 1)) {
    throw new InputError(`params: BM25 needs k1 >= 0 and 0 <= b <= 1; got k1 = ${params.k1}, b = ${params.b}.`);
  }
}
