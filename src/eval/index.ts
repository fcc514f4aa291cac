/** Evaluation as DPR measures it: answer matching, QA files, top-k accuracy, reader exact match. */
export {
  hasAnswer,
  exactMatch,
  exactMatchAny,
  normalizeAnswer,
  simpleTokenize,
  ANSWER_MATCH_TYPES,
  type AnswerMatch,
  type HasAnswerOptions,
} from './answer_match.js';
export { translatePythonRegex, type TranslatedPattern } from './python_regex.js';
export { parsePythonStringList, pythonRepr, pythonReprString, PythonLiteralError } from './python_literal.js';
export { parseQaText, normalizeQuestion, type QaSample, type QaFormat, type ParseQaOptions } from './qa_file.js';
export {
  topKAccuracy,
  firstHitRank,
  checkKs,
  type RankedForQuestion,
  type TopKAccuracyOptions,
  type TopKAccuracyResult,
} from './top_k_accuracy.js';
export { readQaFile } from './node_files.js';
export { parseRetrievedText, rankedFromRetrieved, type RetrievedQuestion, type RetrievedPassage } from './retrieved_file.js';
export { readerExactMatch, type ReaderPrediction, type ReaderEvalResult } from './reader_eval.js';
export { evaluateRetrieval, type Retriever, type EvaluateRetrievalOptions, type RetrievalEvaluation } from './evaluate_retrieval.js';
