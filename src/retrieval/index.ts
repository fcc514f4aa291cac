/** Retrieval without the CLI: the dense index format, building it, exact search and reading. */
export { bucketByLength, type BucketOptions } from './bucketing.js';
export { createEmbedder, InProcessEmbedder, padRows, type Embedder, type EmbedderOptions, type EncodedRow } from './embedder.js';
export { embedChunk, embedStream, type EmbeddedChunk, type PipelineOptions } from './encode_pipeline.js';
export {
  DenseIndex,
  readManifest,
  passageLine,
  INDEX_FORMAT,
  INDEX_VERSION,
  MANIFEST_FILE,
  EMBEDDING_FILES,
  type EmbeddingDtype,
  type IndexManifest,
  type StoredPassage,
} from './index_format.js';
export { DEFAULT_ASK_OPTIONS, DEFAULT_BATCH_SIZE, DEFAULT_QUESTION_BATCH_SIZE, DEFAULT_SHARD_SIZE, DEFAULT_TOP_K } from './defaults.js';
export { indexCorpus, type IndexCorpusOptions } from './index_corpus.js';
export { buildIndex, BUILD_DIR, type BuildIndexOptions, type BuildIndexResult, type PassageInput } from './index_writer.js';
export { inspectModel, resolveModel, type ModelInfo, type ResolveModelOptions } from './model_kind.js';
export { checkEncoderFitsIndex, searchQuestions, type Question, type SearchHit } from './question_search.js';
export { loadReader, readSpans, readerMaxLength, type LoadedReader, type ReadPassage } from './read.js';
export { searchVectors, memorySource, type SearchOptions, type VectorSource } from './search.js';
export { encodeForEncoder, maxInputLength } from './tokenize.js';
export { TopK, type Hit } from './top_k.js';
export type { PassageStore, PassageRecord, StoreHit, StoreSearchOptions, EncoderStamp } from './store.js';
export { loadEncoder, type LoadEncoderOptions, type LoadedEncoder } from './encoders.js';
export {
  Bm25Index,
  PYSERINI_BM25_PARAMS,
  BM25_INDEX_FILE,
  BM25_FORMAT,
  luceneStoredLength,
  type Bm25Params,
  type Bm25Passage,
  type ScoredPassageId,
} from './bm25_index.js';
export { analyzeForBm25, LUCENE_ENGLISH_STOP_WORDS, BM25_ANALYZER_NAME } from './bm25_analyzer.js';
export { saveBm25Index, loadBm25Index, hasBm25Index, bm25IndexPath, buildBm25ForIndex } from './bm25_files.js';
export { fuseHybrid, PYSERINI_NQ_FUSION, DPR_PAPER_FUSION, type FusionOptions, type FusedHit, type ScoredHit } from './hybrid.js';
export { searchQuestionsHybrid, DEFAULT_HYBRID_DEPTH, type HybridSearchOptions, type HybridHit } from './hybrid_search.js';
