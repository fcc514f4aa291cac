/**
 * `serve` on an ephemeral port over the sample index and the small reference models: every
 * endpoint answers what the CLI prints for the same input (`dpr search --json`, `dpr read --json`,
 * `dpr encode`), 64 concurrent clients all get their own right answers (batched together), and
 * /health, /metrics and /openapi.json say what they should.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serve, type DprServer } from '../../src/serve/index.js';
import { runCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { CONTEXT_MODEL, READER_MODEL, request, sampleIndexFixture, type ServeFixture } from './fixtures.js';

interface Hit {
  id: string | number;
  score: number;
  title: string;
  text: string;
}
interface Span {
  span_score: number;
  relevance_score: number;
  doc_id: number;
  start_index: number;
  end_index: number;
  text: string;
}

const QUESTIONS = [
  'what is the capital of france?',
  'who discovered penicillin?',
  'how tall is mount everest',
  'which planet has the great red spot and four large moons found by galileo in 1610',
];

/** Same passages in the same order with the same text; scores equal to float32 rounding (batches differ). */
function assertSameHits(actual: Hit[], expected: Hit[], label: string): void {
  assert.deepEqual(
    actual.map((h) => [h.id, h.title, h.text]),
    expected.map((h) => [h.id, h.title, h.text]),
    label,
  );
  actual.forEach((h, i) =>
    assert.ok(
      Math.abs(h.score - expected[i]!.score) <= 1e-4 * Math.max(1, Math.abs(h.score)),
      `${label}: score ${h.score} vs ${expected[i]!.score}`,
    ),
  );
}

describe('dpr serve endpoints', () => {
  let fixture: ServeFixture;
  let server: DprServer;

  before(async () => {
    fixture = await sampleIndexFixture();
    server = await serve({
      index: fixture.index,
      questionModel: fixture.questionModel,
      readerModel: READER_MODEL(),
      contextModel: CONTEXT_MODEL(),
      port: 0,
    });
    await server.ready;
  });
  after(() => server.close());

  test('GET /health is ready, on 127.0.0.1', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await request(server.url, '/health');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'ready' });
  });

  test('POST /search equals `dpr search --json`, for one question and for several', async () => {
    const cli = await runCli(['search', '--model', fixture.questionModel, '--index', fixture.index, '-k', '7', '--json', ...QUESTIONS]);
    assert.equal(cli.code, 0, cli.stderr);
    const expected = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { question: string; hits: Hit[] });

    const many = await request<{ results: Array<{ question: string; hits: Hit[] }> }>(server.url, '/search', {
      body: { questions: QUESTIONS, k: 7 },
    });
    assert.equal(many.status, 200);
    assert.deepEqual(
      many.body.results.map((r) => r.question),
      QUESTIONS,
    );
    many.body.results.forEach((r, i) => {
      assert.deepEqual(Object.keys(r.hits[0]!), ['id', 'score', 'title', 'text']);
      assertSameHits(r.hits, expected[i]!.hits, QUESTIONS[i]!);
    });

    const one = await request<{ results: Array<{ question: string; hits: Hit[] }> }>(server.url, '/search', {
      body: { question: QUESTIONS[1], k: 7 },
    });
    assert.equal(one.body.results.length, 1);
    assertSameHits(one.body.results[0]!.hits, expected[1]!.hits, 'single question');
  });

  test('POST /search without k returns the CLI default of 10', async () => {
    const r = await request<{ results: Array<{ hits: Hit[] }> }>(server.url, '/search', { body: { question: QUESTIONS[0] } });
    assert.equal(r.status, 200);
    assert.equal(r.body.results[0]!.hits.length, 10);
  });

  test('POST /ask: the passages /search retrieves, read into the spans `dpr read --json` gives', async () => {
    const question = QUESTIONS[1]!;
    const options = { k: 4, num_spans: 3, max_answer_length: 10, num_spans_per_passage: 2 };
    const r = await request<{ question: string; spans: Span[]; passages: Hit[] }>(server.url, '/ask', { body: { question, ...options } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.question, question);
    const searched = await request<{ results: Array<{ hits: Hit[] }> }>(server.url, '/search', { body: { question, k: 4 } });
    assertSameHits(r.body.passages, searched.body.results[0]!.hits, 'ask passages');

    const passages = join(fixture.dir, 'ask_passages.jsonl');
    writeFileSync(passages, r.body.passages.map((p) => JSON.stringify({ id: p.id, title: p.title, text: p.text })).join('\n') + '\n');
    const cli = await runCli([
      'read',
      '--model',
      READER_MODEL(),
      '--question',
      question,
      '--passages',
      passages,
      '--json',
      '--num-spans',
      '3',
      '--max-answer-length',
      '10',
      '--num-spans-per-passage',
      '2',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const spans = JSON.parse(cli.stdout) as Span[];
    assert.ok(spans.length >= 1);
    assert.deepEqual(
      r.body.spans.map((s) => [s.doc_id, s.start_index, s.end_index, s.text]),
      spans.map((s) => [s.doc_id, s.start_index, s.end_index, s.text]),
    );
    r.body.spans.forEach((s, i) => {
      assert.ok(Math.abs(s.span_score - spans[i]!.span_score) < 1e-5);
      assert.ok(Math.abs(s.relevance_score - spans[i]!.relevance_score) < 1e-5);
    });
  });

  test('POST /encode equals `dpr encode` for questions and for titled passages', async () => {
    const records = [
      { id: 1, title: 'Alexander Fleming', text: 'Fleming discovered penicillin in 1928.' },
      { id: 2, title: '', text: 'Paris is the capital of France.' },
    ];
    for (const [kind, model] of [
      ['question', fixture.questionModel],
      ['context', CONTEXT_MODEL()],
    ] as const) {
      const input = join(fixture.dir, `encode_${kind}.jsonl`);
      // A question encoder ignores titles (`dpr encode` encodes its text alone).
      writeFileSync(input, records.map((r) => JSON.stringify(kind === 'question' ? { id: r.id, text: r.text } : r)).join('\n') + '\n');
      const cli = await runCli(['encode', '--model', model, '--input', input, '--output', '-', '--workers', '1']);
      assert.equal(cli.code, 0, cli.stderr);
      const expected = cli.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { vector: number[] }).vector);
      const body = { kind, texts: records.map((r) => r.text), ...(kind === 'context' ? { titles: records.map((r) => r.title) } : {}) };
      const r = await request<{ kind: string; dim: number; vectors: number[][] }>(server.url, '/encode', { body });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.kind, kind);
      assert.equal(r.body.dim, 16);
      assert.equal(r.body.vectors.length, records.length);
      r.body.vectors.forEach((v, i) =>
        v.forEach((x, d) => assert.ok(Math.abs(x - expected[i]![d]!) < 1e-5, `${kind} row ${i} dim ${d}: ${x} vs ${expected[i]![d]}`)),
      );
    }
    // Titles change a passage's vector, so they were used.
    const untitled = await request<{ vectors: number[][] }>(server.url, '/encode', {
      body: { kind: 'context', texts: [records[0]!.text] },
    });
    const titled = await request<{ vectors: number[][] }>(server.url, '/encode', {
      body: { kind: 'context', texts: [records[0]!.text], titles: [records[0]!.title] },
    });
    assert.notDeepEqual(untitled.body.vectors[0], titled.body.vectors[0]);
  });

  test("64 concurrent clients each get their own question's answer, encoded in shared batches", async () => {
    const expected = new Map<string, Hit[]>();
    for (const q of QUESTIONS) {
      const r = await request<{ results: Array<{ hits: Hit[] }> }>(server.url, '/search', { body: { question: q, k: 5 } });
      expected.set(q, r.body.results[0]!.hits);
    }
    const batchesBefore = await batchCount(server.url);
    const clients = Array.from({ length: 64 }, (_, i) => QUESTIONS[i % QUESTIONS.length]!);
    const answers = await Promise.all(
      clients.map((q) =>
        request<{ results: Array<{ question: string; hits: Hit[] }> }>(server.url, '/search', { body: { question: q, k: 5 } }),
      ),
    );
    answers.forEach((a, i) => {
      assert.equal(a.status, 200);
      assert.equal(a.body.results[0]!.question, clients[i]);
      assertSameHits(a.body.results[0]!.hits, expected.get(clients[i]!)!, `client ${i}`);
    });
    const batches = (await batchCount(server.url)) - batchesBefore;
    assert.ok(batches < 64, `64 questions took ${batches} model calls: no batching`);
  });

  test('GET /metrics counts requests by route and status, with latency, queue depth and batch sizes', async () => {
    await request(server.url, '/search', { body: { question: 'q', k: 0 } });
    const r = await request<string>(server.url, '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    const text = r.body;
    assert.match(text, /^dpr_http_requests_total\{method="POST",route="\/search",status="200"\} \d+$/m);
    assert.match(text, /^dpr_http_requests_total\{method="POST",route="\/search",status="400"\} 1$/m);
    assert.match(text, /^dpr_http_request_duration_seconds_bucket\{le="0\.1",route="\/search"\} \d+$/m);
    assert.match(text, /^dpr_queue_depth\{queue="search"\} 0$/m);
    assert.match(text, /^dpr_batch_size_count\{queue="search"\} \d+$/m);
    assert.match(text, /^dpr_ready 1$/m);
    assert.match(text, /^dpr_process_resident_memory_bytes \d+/m);
  });

  test("the README's curl example, sent as written, gets its three hits", async () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const serving = readme.slice(readme.indexOf('## Serving'));
    const curl = /^curl -s localhost:8080(\/\w+) -H 'content-type: application\/json' -d '(.+)'$/m.exec(serving);
    assert.ok(curl, 'README Serving section has its curl example');
    const r = await request<{ results: Array<{ question: string; hits: Hit[] }> }>(server.url, curl[1]!, { body: curl[2]! });
    assert.equal(r.status, 200);
    assert.equal(r.body.results[0]!.question, 'who discovered penicillin?');
    assert.equal(r.body.results[0]!.hits.length, 3);
    assert.match(serving, /^npx dpr serve --index \S+ --question-model \S+ --reader-model \S+ --port 8080$/m);
  });

  test('GET /openapi.json documents every route with the schemas the server validates with', async () => {
    const r = await request<{
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: { required?: string[]; properties: Record<string, unknown> } }> } }
        >
      >;
    }>(server.url, '/openapi.json');
    assert.equal(r.status, 200);
    assert.equal(r.body.openapi, '3.1.0');
    assert.deepEqual(Object.keys(r.body.paths).sort(), ['/ask', '/encode', '/health', '/metrics', '/openapi.json', '/search']);
    const ask = r.body.paths['/ask']!['post']!.requestBody!.content['application/json']!.schema;
    assert.deepEqual(ask.required, ['question']);
    assert.deepEqual(Object.keys(ask.properties).sort(), ['k', 'max_answer_length', 'num_spans', 'num_spans_per_passage', 'question']);
  });
});

/** Model calls made by the search queue so far (the batch-size histogram's count). */
async function batchCount(url: string): Promise<number> {
  const r = await request<string>(url, '/metrics');
  const m = /^dpr_batch_size_count\{queue="search"\} (\d+)$/m.exec(r.body);
  return m ? Number(m[1]) : 0;
}
