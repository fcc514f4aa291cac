/**
 * tfjs-dpr/langchain: DPR for LangChain.js. Needs `@langchain/core` (a peer dependency, optional
 * for users who do not import this entry point).
 */
export { DPREmbeddings, innerProduct, type DPREmbeddingsParams, type DPRDocument } from './embeddings.js';
