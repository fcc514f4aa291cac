/**
 * The server's answers to bad requests and bad moments, always JSON `{error}`: bad JSON, missing,
 * unknown and mistyped fields, k ≤ 0, an oversize body, an unknown route, a missing or wrong
 * token; loading (503 until ready), a full queue and a timeout (503 + Retry-After), and a model
 * failure (500 for that request only, the server keeps serving).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EncodedRow } from '../../src/retrieval/embedder.js';
import { loadServeModels, startServer, type DprServer, type ServeModels } from '../../src/serve/index.js';
import { READER_MODEL, request, sampleIndexFixture, type ServeFixture } from './fixtures.js';

let fixture: ServeFixture;
before(async () => {
  fixture = await sampleIndexFixture();
});

const load = (extra: { readerModel?: string } = {}) =>
  loadServeModels({ index: fixture.index, questionModel: fixture.questionModel, ...extra });

/** The models with a question encoder that fails on the text "boom" and, given `gate`, waits for it before each call. */
async function faultyModels(gate?: () => Promise<void>): Promise<ServeModels> {
  const models = await load();
  const encoder = models.questionEncoder;
  const real = encoder.embedder;
  const poison: EncodedRow = { input_ids: [-1], token_type_ids: [0], attention_mask: [1] };
  return {
    ...models,
    questionEncoder: {
      ...encoder,
      tokenize: (text, title) => (text === 'boom' ? poison : encoder.tokenize(text, title)),
      embedder: {
        dim: real.dim,
        embed: async (rows) => {
          if (gate) await gate();
          if (rows.some((r) => r.input_ids[0] === -1)) throw new Error('simulated encoder failure');
          return real.embed(rows);
        },
        dispose: () => real.dispose(),
      },
    },
  };
}

describe('bad requests get the right 4xx with a JSON {error}', () => {
  let server: DprServer;
  before(async () => {
    server = await startServer({ port: 0, bodyLimit: 64 * 1024 }, load);
    await server.ready;
  });
  after(() => server.close());

  const cases: Array<{
    name: string;
    path: string;
    body?: unknown;
    method?: string;
    headers?: Record<string, string>;
    status: number;
    error: RegExp;
  }> = [
    { name: 'bad JSON', path: '/search', body: '{"question": ', status: 400, error: /^the body is not valid JSON/ },
    { name: 'empty body', path: '/search', body: '', status: 400, error: /empty/i },
    { name: 'not an object', path: '/search', body: '["who?"]', status: 400, error: /^body must be object$/ },
    { name: 'neither question nor questions', path: '/search', body: { k: 3 }, status: 400, error: /`question` .* or `questions`/ },
    { name: 'both question and questions', path: '/search', body: { question: 'a', questions: ['b'] }, status: 400, error: /not both/ },
    { name: 'missing field', path: '/ask', body: { k: 3 }, status: 400, error: /^body must have the field 'question'$/ },
    {
      name: 'unknown field',
      path: '/search',
      body: { question: 'a', hybrid: true },
      status: 400,
      error: /^body has an unknown field 'hybrid'$/,
    },
    { name: 'k as a string', path: '/search', body: { question: 'a', k: '3' }, status: 400, error: /^body\/k must be integer$/ },
    { name: 'k = 0', path: '/search', body: { question: 'a', k: 0 }, status: 400, error: /^body\/k must be >= 1$/ },
    { name: 'k < 0', path: '/ask', body: { question: 'a', k: -2 }, status: 400, error: /^body\/k must be >= 1$/ },
    { name: 'k fractional', path: '/search', body: { question: 'a', k: 2.5 }, status: 400, error: /^body\/k must be integer$/ },
    { name: 'question a number', path: '/search', body: { question: 42 }, status: 400, error: /^body\/question must be string$/ },
    { name: 'blank question', path: '/search', body: { question: '  ' }, status: 400, error: /^body\/question must not be blank$/ },
    {
      name: 'a non-string in questions',
      path: '/search',
      body: { questions: ['a', null] },
      status: 400,
      error: /^body\/questions\/1 must be string$/,
    },
    {
      name: 'too many questions',
      path: '/search',
      body: { questions: Array(65).fill('a') },
      status: 400,
      error: /^body\/questions must NOT have more than 64 items$/,
    },
    {
      name: 'unknown kind',
      path: '/encode',
      body: { texts: ['a'], kind: 'passage' },
      status: 400,
      error: /^body\/kind must be one of "question", "context"$/,
    },
    {
      name: 'titles with questions',
      path: '/encode',
      body: { texts: ['a'], kind: 'question', titles: ['t'] },
      status: 400,
      error: /titles/,
    },
    { name: 'num_spans = 0', path: '/ask', body: { question: 'a', num_spans: 0 }, status: 400, error: /^body\/num_spans must be >= 1$/ },
    {
      name: 'oversize body',
      path: '/search',
      body: { question: 'a'.repeat(70 * 1024) },
      status: 413,
      error: /larger than this server accepts/,
    },
    {
      name: 'unknown route',
      path: '/nope',
      body: { question: 'a' },
      status: 404,
      error: /^no route POST \/nope; the routes are POST \/search/,
    },
    { name: 'wrong method', path: '/search', method: 'GET', status: 404, error: /^no route GET \/search/ },
    { name: '/ask without a reader', path: '/ask', body: { question: 'a' }, status: 501, error: /no reader; start it with a reader model/ },
    {
      name: 'context /encode without a context encoder',
      path: '/encode',
      body: { texts: ['a'], kind: 'context' },
      status: 501,
      error: /no context encoder/,
    },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.status}`, async () => {
      const r = await request<{ error: string }>(server.url, c.path, { body: c.body, ...(c.method ? { method: c.method } : {}) });
      assert.equal(r.status, c.status, JSON.stringify(r.body));
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(Object.keys(r.body), ['error']);
      assert.match(r.body.error, c.error);
    });
  }

  test('after all that, the server still answers', async () => {
    const r = await request<{ results: unknown[] }>(server.url, '/search', { body: { question: 'who discovered penicillin?', k: 2 } });
    assert.equal(r.status, 200);
  });
});

describe('a bearer token', () => {
  let server: DprServer;
  before(async () => {
    server = await startServer({ port: 0, token: 's3cret' }, load);
    await server.ready;
  });
  after(() => server.close());

  test('missing → 401 naming the header; wrong → 401; right → 200', async () => {
    const body = { question: 'who discovered penicillin?', k: 1 };
    const missing = await request<{ error: string }>(server.url, '/search', { body });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(missing.body, { error: 'this server needs a bearer token: send "Authorization: Bearer <token>".' });
    const wrong = await request<{ error: string }>(server.url, '/search', { body, headers: { authorization: 'Bearer s3cre' } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { error: 'the bearer token is wrong.' });
    const right = await request(server.url, '/search', { body, headers: { authorization: 'Bearer s3cret' } });
    assert.equal(right.status, 200);
    assert.equal((await request(server.url, '/metrics')).status, 401);
    assert.equal((await request(server.url, '/nope')).status, 401, 'no route list for strangers');
  });

  test('GET /health needs no token (for load balancers)', async () => {
    assert.equal((await request(server.url, '/health')).status, 200);
  });
});

describe('loading, overload and failure', () => {
  test('while loading: /health 503 "loading", other routes 503 + Retry-After; then ready', async () => {
    let release!: (models: ServeModels) => void;
    const loading = new Promise<ServeModels>((resolve) => (release = resolve));
    const server = await startServer({ port: 0 }, () => loading);
    try {
      const health = await request<{ status: string }>(server.url, '/health');
      assert.equal(health.status, 503);
      assert.deepEqual(health.body, { status: 'loading' });
      const search = await request<{ error: string }>(server.url, '/search', { body: { question: 'a' } });
      assert.equal(search.status, 503);
      assert.equal(search.headers.get('retry-after'), '1');
      assert.match(search.body.error, /loading its models and index/);
      release(await load());
      await server.ready;
      assert.equal((await request(server.url, '/health')).status, 200);
      assert.equal((await request(server.url, '/search', { body: { question: 'a' } })).status, 200);
    } finally {
      await server.close();
    }
  });

  test('a failed load: /health 503 "failed" with the reason; ready rejects', async () => {
    const server = await startServer({ port: 0 }, () => loadServeModels({ index: fixture.index, questionModel: READER_MODEL() }));
    try {
      await assert.rejects(server.ready, /`questionModel` .* is a reader \(DPRReader\); `questionModel` must be a question encoder/);
      const health = await request<{ status: string; error: string }>(server.url, '/health');
      assert.equal(health.status, 503);
      assert.equal(health.body.status, 'failed');
      assert.match(health.body.error, /is a reader/);
    } finally {
      await server.close();
    }
  });

  test('an encoder failure is a 500 for that request only; the others in its batch and later ones succeed', async () => {
    const errors: unknown[] = [];
    const server = await startServer({ port: 0, onError: (e) => errors.push(e) }, () => faultyModels());
    try {
      await server.ready;
      const texts = ['who discovered penicillin?', 'boom', 'what is the capital of france?'];
      const answers = await Promise.all(
        texts.map((question) => request<{ error?: string }>(server.url, '/search', { body: { question, k: 3 } })),
      );
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 500, 200],
      );
      assert.deepEqual(answers[1]!.body, { error: 'the server failed on this request: simulated encoder failure' });
      assert.equal(errors.length, 1);
      assert.equal((await request(server.url, '/search', { body: { question: 'a', k: 1 } })).status, 200);
    } finally {
      await server.close();
    }
  });

  test('a full queue → 503 + Retry-After; a request past its deadline → 503', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let calls = 0;
    const server = await startServer({ port: 0, maxBatch: 1, maxQueue: 1, requestTimeoutMs: 300 }, () =>
      faultyModels(() => (calls++, gate)),
    );
    try {
      await server.ready;
      const running = request<{ error?: string }>(server.url, '/search', { body: { question: 'first' } });
      await until(() => calls === 1); // the first is in the encoder, held there by the gate
      const waiting = request<{ error?: string }>(server.url, '/search', { body: { question: 'second' } });
      await until(async () => /^dpr_queue_depth\{queue="search"\} 1$/m.test((await request<string>(server.url, '/metrics')).body));
      const refused = await request<{ error?: string }>(server.url, '/search', { body: { question: 'third' } });
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.deepEqual(refused.body, { error: 'the search queue is full (1 waiting); retry shortly.' });
      // The second is still queued when its 300 ms are up; the first waits for the gate.
      const late = await waiting;
      assert.equal(late.status, 503);
      assert.equal(late.headers.get('retry-after'), '1');
      assert.match(late.body.error!, /^the request did not finish within 300 ms/);
      open();
      assert.equal((await running).status, 503, 'the first also ran past its deadline while held');
      assert.equal((await request(server.url, '/search', { body: { question: 'fourth' } })).status, 200);
      assert.equal(calls, 2, 'the timed-out second question was dropped from the queue, never encoded');
    } finally {
      open();
      await server.close();
    }
  });
});

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not met within 2 s');
}
