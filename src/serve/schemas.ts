/**
 * The JSON schemas of the HTTP API: fastify validates request bodies with them (a bad body is a
 * 400 naming the field), and the OpenAPI document at GET /openapi.json is built from the same
 * objects, so the two cannot drift.
 */
import { DEFAULT_ASK_OPTIONS, DEFAULT_TOP_K } from '../retrieval/defaults.js';

/** Limits on one request; the queue bounds hold the server as a whole. */
export const REQUEST_LIMITS = {
  /** Questions in one /search request, texts in one /encode request. */
  maxItems: 64,
  /** Characters in one question or text (the encoder truncates to its token limit anyway). */
  maxTextChars: 20_000,
  /** Largest k. */
  maxK: 1000,
} as const;

const text = { type: 'string', minLength: 1, maxLength: REQUEST_LIMITS.maxTextChars, pattern: '\\S' } as const;
const k = {
  type: 'integer',
  minimum: 1,
  maximum: REQUEST_LIMITS.maxK,
  description: 'passages to return per question (at most the index size are returned)',
} as const;

export const SEARCH_BODY = {
  type: 'object',
  additionalProperties: false,
  description: 'Give `question` or `questions`, not both.',
  properties: {
    question: { ...text, description: 'one question' },
    questions: {
      type: 'array',
      minItems: 1,
      maxItems: REQUEST_LIMITS.maxItems,
      items: text,
      description: 'several questions, answered in order',
    },
    k: { ...k, default: DEFAULT_TOP_K },
  },
} as const;

export const ASK_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['question'],
  properties: {
    question: text,
    k: { ...k, default: DEFAULT_ASK_OPTIONS.k, description: 'retrieved passages the reader reads' },
    num_spans: { type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_ASK_OPTIONS.num_spans, description: 'answer spans to return' },
    max_answer_length: {
      type: 'integer',
      minimum: 1,
      maximum: 512,
      default: DEFAULT_ASK_OPTIONS.max_answer_length,
      description: 'longest span, in tokens',
    },
    num_spans_per_passage: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: DEFAULT_ASK_OPTIONS.num_spans_per_passage,
      description: 'spans taken from one passage',
    },
  },
} as const;

export const ENCODE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['texts', 'kind'],
  properties: {
    texts: { type: 'array', minItems: 1, maxItems: REQUEST_LIMITS.maxItems, items: text },
    kind: { type: 'string', enum: ['question', 'context'], description: 'which encoder: questions, or passages (needs a context model)' },
    titles: {
      type: 'array',
      maxItems: REQUEST_LIMITS.maxItems,
      items: { type: 'string', maxLength: REQUEST_LIMITS.maxTextChars },
      description: 'kind "context" only: one title per text, encoded as the pair (title, text) when not empty, as `dpr encode` does',
    },
  },
} as const;

const hit = {
  type: 'object',
  properties: { id: { type: ['string', 'integer'] }, score: { type: 'number' }, title: { type: 'string' }, text: { type: 'string' } },
} as const;

const span = {
  type: 'object',
  description: 'HF DPRSpanPrediction, as `dpr read --json` prints it; doc_id indexes `passages`',
  properties: {
    span_score: { type: 'number' },
    relevance_score: { type: 'number' },
    doc_id: { type: 'integer' },
    start_index: { type: 'integer' },
    end_index: { type: 'integer' },
    text: { type: 'string' },
  },
} as const;

export const ERROR_BODY = { type: 'object', required: ['error'], properties: { error: { type: 'string' } } } as const;

export const SEARCH_RESPONSE = {
  type: 'object',
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          question: { type: 'string' },
          hits: { type: 'array', items: hit, description: 'best first, as `dpr search --json`' },
        },
      },
    },
  },
} as const;

export const ASK_RESPONSE = {
  type: 'object',
  properties: { question: { type: 'string' }, spans: { type: 'array', items: span }, passages: { type: 'array', items: hit } },
} as const;

export const ENCODE_RESPONSE = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    dim: { type: 'integer' },
    vectors: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
  },
} as const;

export const HEALTH_RESPONSE = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['loading', 'ready', 'failed', 'closing'] }, error: { type: 'string' } },
} as const;
