/**
 * tfjs-dpr/langchain: DPREmbeddings in LangChain's in-memory vector store (MemoryVectorStore, from
 * @langchain/classic in LangChain.js 1.x) ranks the sample corpus exactly as `dpr search` does,
 * given DPR's inner product as the store's similarity. embedQuery is the question encoder and
 * embedDocuments the context encoder, in-process for small calls and on the worker pool for large ones.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Embeddings } from '@langchain/core/embeddings';
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { DPREmbeddings, innerProduct } from '../../src/langchain/index.js';
import {
  DPRContextEncoderTokenizer,
  DPRQuestionEncoderTokenizer,
  InputError,
  TFDPRContextEncoder,
  TFDPRQuestionEncoder,
} from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { CONTEXT_MODEL, QUESTION_MODEL, pairedQuestionEncoder, tempDir } from '../cli/fixtures.js';

interface Passage {
  id: string;
  title: string;
  text: string;
}

const QUESTIONS = [
  'what is the capital of france?',
  'who discovered penicillin?',
  'how tall is mount everest',
  'which planet has the great red spot',
];
const K = 8;

/** Documents as one string each, split back into DPR's (title, text) pair by `splitDocument`. */
const joinDocument = (p: Passage): string => `${p.title}\n${p.text}`;
const splitDocument = (document: string) => {
  const cut = document.indexOf('\n');
  return { title: document.slice(0, cut), text: document.slice(cut + 1) };
};

describe('DPREmbeddings', () => {
  const dir = tempDir('dpr-langchain-');
  const corpusPath = join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl');
  const corpus = readFileSync(corpusPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Passage);
  let questionModel: string;
  let embeddings: DPREmbeddings;

  before(() => {
    questionModel = pairedQuestionEncoder(dir);
    embeddings = new DPREmbeddings({
      questionEncoder: questionModel,
      contextEncoder: CONTEXT_MODEL(),
      splitDocument,
      workers: 2,
      inProcessLimit: 16,
    });
  });
  after(() => embeddings.dispose());

  test('is a LangChain Embeddings', () => {
    assert.ok(embeddings instanceof Embeddings);
  });

  test('MemoryVectorStore with the inner product returns the ranking and scores of `dpr search`', async () => {
    const index = join(dir, 'index');
    const build = await runCli([
      'index',
      'build',
      '--model',
      CONTEXT_MODEL(),
      '--passages',
      corpusPath,
      '--out',
      index,
      '--batch-size',
      '16',
    ]);
    assert.equal(build.code, 0, build.stderr);
    const input = join(dir, 'questions.jsonl');
    writeFileSync(input, QUESTIONS.map((text, id) => JSON.stringify({ id, text })).join('\n') + '\n');
    const search = await runCli(['search', '--model', questionModel, '--index', index, '-k', String(K), '--input', input, '--json']);
    assert.equal(search.code, 0, search.stderr);
    const expected = search.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { hits: Array<{ id: string; score: number }> });

    // 342 documents: more than inProcessLimit, so they are encoded on the worker pool.
    const store = await MemoryVectorStore.fromTexts(
      corpus.map(joinDocument),
      corpus.map((p) => ({ id: p.id })),
      embeddings,
      { similarity: innerProduct },
    );
    for (const [q, question] of QUESTIONS.entries()) {
      const got = await store.similaritySearchWithScore(question, K);
      const want = expected[q]!.hits;
      assert.deepEqual(
        got.map(([doc]) => doc.metadata['id']),
        want.map((h) => h.id),
        `ranking for "${question}"`,
      );
      got.forEach(([, score], i) =>
        assert.ok(
          Math.abs(score - want[i]!.score) <= 1e-4 * Math.max(1, Math.abs(score)),
          `score ${i} for "${question}": ${score} vs ${want[i]!.score}`,
        ),
      );
    }
  });

  test('embedDocuments gives the same vectors in-process and on the pool', async () => {
    const documents = corpus.slice(0, 20).map(joinDocument);
    const pooled = await embeddings.embedDocuments(documents); // 20 > inProcessLimit: the pool
    const single = await Promise.all(documents.map(async (d) => (await embeddings.embedDocuments([d]))[0]!)); // in-process
    pooled.forEach((v, i) =>
      v.forEach((x, j) => assert.ok(Math.abs(x - single[i]![j]!) <= 1e-5, `document ${i}, value ${j}: ${x} vs ${single[i]![j]}`)),
    );
  });
});

test('embedQuery runs the question encoder and embedDocuments the context encoder, as the models compute them', async () => {
  const two = new DPREmbeddings({ questionEncoder: QUESTION_MODEL(), contextEncoder: CONTEXT_MODEL(), workers: 1 });
  try {
    const text = 'who wrote the origin of species?';
    const [q, [d]] = [await two.embedQuery(text), await two.embedDocuments([text])];
    assert.equal(q.length, 32, 'the question encoder gives 32 values');
    assert.equal(d!.length, 16, 'the context encoder gives 16 values');

    const direct = async (model: TFDPRQuestionEncoder | TFDPRContextEncoder, ids: number[]) => {
      const out = model.call({ input_ids: [ids] });
      const values = Array.from((await out.pooler_output.data()) as Float32Array);
      tf.dispose(out as unknown as tf.TensorContainer);
      model.dispose();
      return values;
    };
    const qIds = (await DPRQuestionEncoderTokenizer.fromPretrained(QUESTION_MODEL())).encode(text).input_ids;
    const dIds = (await DPRContextEncoderTokenizer.fromPretrained(CONTEXT_MODEL())).encode(text).input_ids;
    assert.deepEqual(q, await direct(await TFDPRQuestionEncoder.fromPretrained(QUESTION_MODEL()), qIds));
    assert.deepEqual(d, await direct(await TFDPRContextEncoder.fromPretrained(CONTEXT_MODEL()), dIds));
    assert.deepEqual(await two.embedDocuments([]), []);
  } finally {
    await two.dispose();
  }
  await assert.rejects(two.embedQuery('x'), (e: unknown) => e instanceof InputError && /was disposed/.test(e.message));
});

test('wrong models and bad options fail with the option named', async () => {
  assert.throws(
    () => new DPREmbeddings({ questionEncoder: QUESTION_MODEL(), contextEncoder: CONTEXT_MODEL(), batchSize: 0 }),
    (e: unknown) => e instanceof InputError && /batchSize must be a positive integer, got 0/.test(e.message),
  );
  const swapped = new DPREmbeddings({ questionEncoder: CONTEXT_MODEL(), contextEncoder: QUESTION_MODEL(), workers: 1 });
  await assert.rejects(
    swapped.embedQuery('x'),
    (e: unknown) => e instanceof Error && /`questionEncoder`/.test(e.message) && /question encoder/.test(e.message),
  );
  await assert.rejects(swapped.embedDocuments(['x']), (e: unknown) => e instanceof Error && /`contextEncoder`/.test(e.message));
  await swapped.dispose();
});

test('package.json: tfjs-dpr/langchain is exported (types first) and @langchain/core is an optional peer, not a dependency', () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  const entry = pkg['exports']!['./langchain'] as Record<string, string>;
  assert.deepEqual(Object.keys(entry), ['types', 'import']);
  assert.equal(entry['import'], './dist/src/langchain/index.js');
  assert.equal(pkg['dependencies']!['@langchain/core'], undefined);
  assert.ok(typeof pkg['peerDependencies']!['@langchain/core'] === 'string');
  assert.deepEqual(pkg['peerDependenciesMeta']!['@langchain/core'], { optional: true });
});
