/**
 * Fixtures for the server tests: the sample corpus indexed with the small reference context
 * encoder (in process, one worker), the paired question encoder (test/cli/fixtures.ts), and a
 * small JSON client.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexCorpus } from '../../src/retrieval/index_corpus.js';
import type { PassageInput } from '../../src/retrieval/index_writer.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { CONTEXT_MODEL, READER_MODEL, pairedQuestionEncoder, tempDir } from '../cli/fixtures.js';

export { CONTEXT_MODEL, READER_MODEL, tempDir };

export const SAMPLE_CORPUS = join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl');

export interface ServeFixture {
  dir: string;
  index: string;
  questionModel: string;
}

/** Indexes the sample corpus into a fresh temp dir; returns it with a paired question encoder. */
export async function sampleIndexFixture(): Promise<ServeFixture> {
  const dir = tempDir('dpr-serve-');
  const questionModel = pairedQuestionEncoder(dir);
  const index = join(dir, 'index');
  const passages = readFileSync(SAMPLE_CORPUS, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PassageInput);
  await indexCorpus({
    model: CONTEXT_MODEL(),
    outDir: index,
    workers: 1,
    shardSize: 100,
    batchSize: 16,
    passages: (async function* () {
      yield* passages;
    })(),
  });
  return { dir, index, questionModel };
}

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends `body` (an object as JSON, or a raw string) and parses the JSON answer. */
export async function request<T = unknown>(
  url: string,
  path: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const hasBody = options.body !== undefined;
  const response = await fetch(url + path, {
    method: options.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(hasBody ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('application/json')) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: body as T };
}
