/** Evaluation as DPR measures it, and the BM25 half of hybrid retrieval. */
export { hasAnswer, exactMatch, exactMatchAny, normalizeAnswer, simpleTokenize, ANSWER_MATCH_TYPES, type AnswerMatch, type HasAnswerOptions } from './answer_match.js';
export { translatePythonRegex, type TranslatedPattern } from './python_regex.js';
export { parsePythonStringList, pythonRepr, pythonReprString, PythonLiteralError } from './python_literal.js';
export { parseQaText, normalizeQuestion, type QaSample, type QaFormat, type ParseQaOptions } from './qa_file.js';
export { topKAccuracy, firstHitRank, checkKs, type RankedForQuestion, type TopKAccuracyOptions, type TopKAccuracyResult } from './top_k_accuracy.js';
export { Bm25Index, PYSERINI_BM25_PARAMS, BM25_INDEX_FILE, BM25_FORMAT, luceneStoredLength, type Bm25Params, type Bm25Passage, type ScoredPassageId } from './bm25_index.js';
export { analyzeForBm25, LUCENE_ENGLISH_STOP_WORDS, BM25_ANALYZER_NAME } from './bm25_analyzer.js';
export { fuseHybrid, PYSERINI_NQ_FUSION, DPR_PAPER_FUSION, type FusionOptions, type FusedHit, type ScoredHit } from './hybrid.js';
export { readQaFile, saveBm25Index, loadBm25Index, hasBm25Index, bm25IndexPath } from './node_files.js';
export { parseRetrievedText, rankedFromRetrieved, type RetrievedQuestion, type RetrievedPassage } from './retrieved_file.js';
export { readerExactMatch, type ReaderPrediction, type ReaderEvalResult } from './reader_eval.js';
export { evaluateRetrieval, type Retriever, type EvaluateRetrievalOptions, type RetrievalEvaluation } from './evaluate_retrieval.js';
