/**
 * The OpenAPI 3.1 document served at GET /openapi.json, built from the schemas fastify validates
 * with (schemas.ts), so what the document says is what the server checks.
 */
import {
  ASK_BODY,
  ASK_RESPONSE,
  ENCODE_BODY,
  ENCODE_RESPONSE,
  ERROR_BODY,
  HEALTH_RESPONSE,
  SEARCH_BODY,
  SEARCH_RESPONSE,
} from './schemas.js';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json(ERROR_BODY) });

/** The errors any POST route may answer with. */
const POST_ERRORS = {
  '400': error('the body is not JSON, or a field is missing, unknown or of the wrong type or range (the message names it)'),
  '401': error('a bearer token is required and was missing or wrong'),
  '413': error('the body is larger than the server accepts'),
  '415': error('the body is not application/json'),
  '500': error('the model failed on this request (the server keeps serving)'),
  '503': error('loading, shutting down, queue full, or the request timed out; see Retry-After'),
};

function post(summary: string, body: object, response: object, description: string) {
  return {
    post: {
      summary,
      requestBody: { required: true, ...json(body) },
      responses: { '200': { description, ...json(response) }, ...POST_ERRORS },
    },
  };
}

export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: { title: 'tfjs-dpr server (dpr serve)', version, description: 'Dense passage retrieval and question answering over HTTP.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }, {}],
    paths: {
      '/search': post(
        'The k passages of the index that best match each question',
        SEARCH_BODY,
        SEARCH_RESPONSE,
        'one result per question, in order',
      ),
      '/ask': post(
        'Retrieve passages for a question and read answer spans from them',
        ASK_BODY,
        ASK_RESPONSE,
        'spans (as `dpr read --json`) and the passages read',
      ),
      '/encode': post(
        'Encode texts into vectors with the question or the context encoder',
        ENCODE_BODY,
        ENCODE_RESPONSE,
        'one vector per text',
      ),
      '/health': {
        get: {
          summary: 'Readiness: 200 once the models and the index are loaded, 503 before (no token needed)',
          security: [{}],
          responses: {
            '200': { description: 'ready', ...json(HEALTH_RESPONSE) },
            '503': { description: 'loading, failed or closing', ...json(HEALTH_RESPONSE) },
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } },
      },
    },
  };
}
