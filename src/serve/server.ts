/**
 * The HTTP front door: fastify routes over a RetrievalService. Fastify because it validates bodies
 * with JSON schemas (a bad field is a 400 that names it), enforces the body limit (413), closes
 * gracefully (stops accepting, answers 503 on kept-alive connections, waits for in-flight
 * requests), and is well kept. Everything the server answers is a library call; this file only
 * maps HTTP to those calls and errors to status codes, always as JSON `{error}`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { InputError } from '../errors.js';
import type { SearchHit } from '../retrieval/question_search.js';
import { QueueFullError, TimeoutError } from './batch_queue.js';
import { ServerMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { ASK_BODY, ENCODE_BODY, SEARCH_BODY } from './schemas.js';
import { formatValidationErrors } from './validation.js';
import { NotConfiguredError, RetrievalService, type BatchingOptions, type ServeModels } from './service.js';

export interface ServerOptions extends BatchingOptions {
  /** Interface to listen on. Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Port; 0 picks a free one. Default 8080. */
  port?: number;
  /** When set, every route but GET /health needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest request body, in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** A request not answered within this many ms gets 503 (its queued work is dropped). Default 30000. */
  requestTimeoutMs?: number;
  /** Called with each error answered as 500 (the library never prints; a front end may). */
  onError?: (error: unknown, route: string) => void;
  /** Reported in the OpenAPI document. */
  version?: string;
}

export type ServerStatus = 'loading' | 'ready' | 'failed' | 'closing';

export interface DprServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** Resolves once the models and the index are loaded; rejects if loading fails. */
  readonly ready: Promise<void>;
  readonly status: ServerStatus;
  /** Stops accepting, finishes the requests in flight, frees the models. */
  close(): Promise<void>;
}

/** An error answered with its own status and message. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const ROUTES = 'POST /search, POST /ask, POST /encode, GET /health, GET /metrics, GET /openapi.json';

/**
 * Listens at once (GET /health answers "loading"), then loads with `load()`; the other routes
 * answer 503 until the models are ready.
 */
export async function startServer(options: ServerOptions, load: () => Promise<ServeModels>): Promise<DprServer> {
  const state: { status: ServerStatus; service?: RetrievalService; loadError?: unknown } = { status: 'loading' };
  const metrics = new ServerMetrics(
    () => new Map([...(state.service?.queues ?? new Map())].map(([name, q]) => [name, q.depth])),
    () => state.status === 'ready',
  );
  const app = buildApp(options, state, metrics);
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const ready = load().then(
    (models) => {
      state.service = new RetrievalService(models, options, (queue, size) => metrics.observeBatch(queue, size));
      if (state.status === 'loading') state.status = 'ready';
    },
    (error: unknown) => {
      state.loadError = error;
      if (state.status === 'loading') state.status = 'failed';
      throw error;
    },
  );
  ready.catch(() => undefined); // the caller sees the error through `ready`; no unhandled rejection here
  let closing: Promise<void> | undefined;
  return {
    url,
    ready,
    get status() {
      return state.status;
    },
    close: () =>
      (closing ??= (async () => {
        state.status = 'closing';
        await app.close();
        await ready.catch(() => undefined);
        await state.service?.drained();
        await state.service?.dispose();
      })()),
  };
}

function buildApp(
  options: ServerOptions,
  state: { status: ServerStatus; service?: RetrievalService; loadError?: unknown },
  metrics: ServerMetrics,
): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Receiving one request (headers and body) may take this long; slow senders are cut off.
    requestTimeout: 10_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Types are checked, not converted ("5" is not a k), and unknown fields are errors, not dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
    schemaErrorFormatter: (errors, dataVar) => new InputError(formatValidationErrors(errors, dataVar)),
  });
  const tokenDigest = options.token !== undefined && options.token !== '' ? digest(options.token) : undefined;

  app.addHook('onRequest', async (request, reply) => {
    if (tokenDigest === undefined || request.url === '/health') return;
    const header = request.headers.authorization ?? '';
    const given = /^Bearer (.+)$/i.exec(header)?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), tokenDigest)) {
      reply.header('WWW-Authenticate', 'Bearer');
      throw new HttpError(
        401,
        given === undefined ? 'this server needs a bearer token: send "Authorization: Bearer <token>".' : 'the bearer token is wrong.',
      );
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const { status, message, retryAfter } = toHttpError(error);
    if (status >= 500 && !(error instanceof HttpError) && status !== 503) options.onError?.(error, request.routeOptions.url ?? request.url);
    if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}; the routes are ${ROUTES}.` }),
  );

  const service = (): RetrievalService => {
    if (state.status === 'ready' && state.service !== undefined) return state.service;
    if (state.status === 'failed') throw new HttpError(503, `the server could not load its models: ${errorMessage(state.loadError)}`);
    if (state.status === 'closing') throw new HttpError(503, 'the server is shutting down.', 5);
    throw new HttpError(503, 'the server is loading its models and index; retry when GET /health says ready.', 1);
  };
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

  app.post('/search', { schema: { body: SEARCH_BODY } }, async (request, reply) => {
    const body = request.body as { question?: string; questions?: string[]; k: number };
    if ((body.question === undefined) === (body.questions === undefined)) {
      throw new HttpError(400, 'body must have `question` (one question) or `questions` (a list), not both or neither.');
    }
    const questions = body.questions ?? [body.question!];
    const hits = await withDeadline(request, reply, timeoutMs, (signal) => service().searchQuestions(questions, body.k, signal));
    return { results: questions.map((question, i) => ({ question, hits: hits[i]!.map(hitJson) })) };
  });

  app.post('/ask', { schema: { body: ASK_BODY } }, async (request, reply) => {
    const { question, k, ...spanOptions } = request.body as {
      question: string;
      k: number;
      num_spans: number;
      max_answer_length: number;
      num_spans_per_passage: number;
    };
    const { spans, passages } = await withDeadline(request, reply, timeoutMs, (signal) => service().ask(question, k, spanOptions, signal));
    return { question, spans, passages: passages.map(hitJson) };
  });

  app.post('/encode', { schema: { body: ENCODE_BODY } }, async (request, reply) => {
    const { texts, kind, titles } = request.body as { texts: string[]; kind: 'question' | 'context'; titles?: string[] };
    if (titles !== undefined && (kind !== 'context' || titles.length !== texts.length)) {
      throw new HttpError(400, `body/titles must hold one title per text (${texts.length}) and only with kind "context".`);
    }
    const vectors = await withDeadline(request, reply, timeoutMs, (signal) => service().encode(kind, texts, titles, signal));
    return { kind, dim: vectors[0]?.length ?? 0, vectors: vectors.map((v) => Array.from(v)) };
  });

  app.get('/health', async (_request, reply) => {
    const body = state.status === 'failed' ? { status: state.status, error: errorMessage(state.loadError) } : { status: state.status };
    return reply.code(state.status === 'ready' ? 200 : 503).send(body);
  });
  app.get('/metrics', async (_request, reply) => reply.header('Content-Type', metrics.contentType).send(await metrics.text()));
  const document = openApiDocument(options.version ?? '0.0.0');
  app.get('/openapi.json', async () => document);
  return app;
}

/** The fields `dpr search --json` prints for a hit, in its order. */
function hitJson(h: SearchHit): { id: string | number; score: number; title: string; text: string } {
  return { id: h.id, score: h.score, title: h.title, text: h.text };
}

/**
 * Runs `work` with a signal that aborts when the request times out or its client goes away; the
 * queues drop aborted work that has not started.
 */
async function withDeadline<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError(ms)), ms);
  const onClose = (): void => {
    if (!reply.raw.writableFinished) controller.abort(new HttpError(499, 'the client closed the connection.'));
  };
  request.raw.socket.once('close', onClose);
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    request.raw.socket.off('close', onClose);
  }
}

function toHttpError(error: unknown): { status: number; message: string; retryAfter?: number } {
  if (error instanceof HttpError)
    return { status: error.status, message: error.message, ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}) };
  if (error instanceof QueueFullError) return { status: 503, message: error.message, retryAfter: 1 };
  if (error instanceof TimeoutError) return { status: 503, message: error.message, retryAfter: 1 };
  if (error instanceof NotConfiguredError) return { status: 501, message: error.message };
  const fastify = error as Partial<FastifyError>;
  if (fastify.validation !== undefined) return { status: 400, message: fastify.message ?? 'the body is invalid.' };
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, message: `the body is larger than this server accepts; send fewer or shorter texts. (${fastify.message})` };
  if (error instanceof InputError) return { status: 400, message: error.message };
  if (error instanceof SyntaxError || fastify.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return { status: 400, message: `the body is not valid JSON: ${errorMessage(error)}` };
  const status = fastify.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { status, message: fastify.message ?? `request refused (${status}).` };
  return { status: 500, message: `the server failed on this request: ${errorMessage(error)}` };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
