/** Retrieval without the CLI: the dense index format, building it, exact search and reading. */
export { bucketByLength, type BucketOptions } from './bucketing.js';
export { createEmbedder, InProcessEmbedder, padRows, type Embedder, type EmbedderOptions, type EncodedRow } from './embedder.js';
export { embedChunk, embedStream, type EmbeddedChunk, type PipelineOptions } from './encode_pipeline.js';
export {
  DenseIndex, readManifest, passageLine, INDEX_FORMAT, INDEX_VERSION, MANIFEST_FILE, EMBEDDING_FILES,
  type EmbeddingDtype, type IndexManifest, type StoredPassage,
} from './index_format.js';
export { buildIndex, BUILD_DIR, type BuildIndexOptions, type BuildIndexResult, type PassageInput } from './index_writer.js';
export { inspectModel, type ModelInfo } from './model_kind.js';
export { readSpans, readerMaxLength, type ReadPassage } from './read.js';
export { searchVectors, memorySource, type SearchOptions, type VectorSource } from './search.js';
export { encodeForEncoder, maxInputLength } from './tokenize.js';
export { TopK, type Hit } from './top_k.js';
export { loadEncoder, type LoadedEncoder } from './encoders.js';
