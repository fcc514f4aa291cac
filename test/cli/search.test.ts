/**
 * `dpr index build` then `dpr search` / `dpr ask` on the sample corpus, as a user runs them. The
 * top-k of search equals a brute-force computation: every passage and question encoded by the
 * library in-process, every inner product in float64, sorted.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { TFDPRContextEncoder } from '../../src/index.js';
import { DPRContextEncoderTokenizer } from '../../src/tokenizers/index.js';
import { runCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { CONTEXT_MODEL, READER_MODEL, pairedQuestionEncoder, tempDir } from './fixtures.js';

interface Passage {
  id: string;
  title: string;
  text: string;
}

const QUESTIONS = [
  { id: 'q-paris', text: 'what is the capital of france?' },
  { id: 'q-penicillin', text: 'who discovered penicillin?' },
  { id: 7, text: 'how tall is mount everest' },
  { id: 'q-long', text: 'which planet has the great red spot and four large moons found by galileo in 1610 ' },
];
const K = 10;

describe('dpr index build + search + ask', () => {
  const dir = tempDir();
  const corpusPath = join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl');
  const corpus = readFileSync(corpusPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Passage);
  const index = join(dir, 'index');
  let questionModel: string;

  before(async () => {
    questionModel = pairedQuestionEncoder(dir);
    const r = await runCli([
      'index',
      'build',
      '--model',
      CONTEXT_MODEL(),
      '--passages',
      corpusPath,
      '--out',
      index,
      '--shard-size',
      '100',
      '--batch-size',
      '16',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^indexed ${corpus.length} passages into .*: dim 16, float32, `));
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
  });

  let model: TFDPRContextEncoder;
  before(async () => {
    // The paired question encoder computes the context encoder's function, so one model serves both.
    model = await TFDPRContextEncoder.fromPretrained(CONTEXT_MODEL());
  });
  after(() => model.dispose());

  async function encode(title: string | undefined, text: string): Promise<Float32Array> {
    const tokenizer = await DPRContextEncoderTokenizer.fromPretrained(CONTEXT_MODEL());
    const enc = title ? tokenizer.encode(title, text, { truncation: true }) : tokenizer.encode(text, null, { truncation: true });
    const out = model.call({ input_ids: [enc.input_ids], token_type_ids: [enc.token_type_ids], attention_mask: [enc.attention_mask!] });
    const v = (await out.pooler_output.data()) as Float32Array;
    tf.dispose(out as unknown as tf.TensorContainer);
    return v;
  }

  test('search --json returns the brute-force top-k, best first, with stored title and text', async () => {
    const input = join(dir, 'questions.jsonl');
    writeFileSync(input, QUESTIONS.map((q) => JSON.stringify(q)).join('\n') + '\n');
    const r = await runCli([
      'search',
      '--model',
      questionModel,
      '--index',
      index,
      '-k',
      String(K),
      '--input',
      input,
      '--json',
      '--batch-size',
      '3',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { id: unknown; question: string; hits: Array<{ id: string; score: number; title: string; text: string }> },
      );
    assert.equal(lines.length, QUESTIONS.length);

    const passageVectors: Float32Array[] = [];
    for (const p of corpus) passageVectors.push(await encode(p.title, p.text));
    for (const [qi, q] of QUESTIONS.entries()) {
      const qv = await encode(undefined, q.text);
      const scored = passageVectors.map((pv, i) => ({ i, score: pv.reduce((s, x, d) => s + x * qv[d]!, 0) }));
      scored.sort((a, b) => b.score - a.score);
      const expected = scored.slice(0, K);
      const line = lines[qi]!;
      assert.equal(line.id, q.id);
      assert.equal(line.question, q.text);
      assert.deepEqual(
        line.hits.map((h) => h.id),
        expected.map((e) => corpus[e.i]!.id),
        `question ${q.text}`,
      );
      line.hits.forEach((h, r) => {
        assert.ok(Math.abs(h.score - expected[r]!.score) < 1e-3, `score ${h.score} vs ${expected[r]!.score}`);
        const p = corpus[expected[r]!.i]!;
        assert.equal(h.title, p.title);
        assert.equal(h.text, p.text);
      });
      for (let r = 1; r < line.hits.length; r++) assert.ok(line.hits[r - 1]!.score >= line.hits[r]!.score);
      // Margins: the k-th and (k+1)-th brute-force scores are far enough apart for float32 not to swap them.
      assert.ok(scored[K - 1]!.score - scored[K]!.score > 1e-4, 'test corpus has a near-tie at rank k');
    }
  });

  test('search prints rank, id, score, title and a snippet for people', async () => {
    const r = await runCli(['search', '--model', questionModel, '--index', index, '-k', '3', 'who discovered penicillin?']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'question: who discovered penicillin?');
    assert.match(lines[1]!, /^ {2}1 +-?\d+\.\d{4} {2}\S+ {2}.+$/);
    assert.match(lines[2]!, /^ {16}\S/);
    assert.match(lines[5]!, /^ {2}3 /);
  });

  test('search with a context encoder as --model names the model kind it needs', async () => {
    const r = await runCli(['search', '--model', CONTEXT_MODEL(), '--index', index, 'q']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `dpr search: --model ${CONTEXT_MODEL()} is a context encoder (DPRContextEncoder); --model must be a question encoder (DPRQuestionEncoder).\n`,
    );
  });

  test('ask names its own flags in model errors (--question-model, --reader-model)', async () => {
    const badQuestion = await runCli(['ask', '--question-model', READER_MODEL(), '--reader-model', READER_MODEL(), '--index', index, 'q?']);
    assert.equal(badQuestion.code, 1);
    assert.equal(
      badQuestion.stderr,
      `dpr ask: --question-model ${READER_MODEL()} is a reader (DPRReader); --question-model must be a question encoder (DPRQuestionEncoder).\n`,
    );
    const badReader = await runCli(['ask', '--question-model', questionModel, '--reader-model', CONTEXT_MODEL(), '--index', index, 'q?']);
    assert.equal(badReader.code, 1);
    assert.equal(
      badReader.stderr,
      `dpr ask: --reader-model ${CONTEXT_MODEL()} is a context encoder (DPRContextEncoder); --reader-model must be a reader (DPRReader).\n`,
    );
  });

  test('ask retrieves, reads, and prints the answer with its passage; --json agrees with search + read', async () => {
    const question = 'who discovered penicillin?';
    const r = await runCli([
      'ask',
      '--question-model',
      questionModel,
      '--reader-model',
      READER_MODEL(),
      '--index',
      index,
      '-k',
      '4',
      '--json',
      question,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      question: string;
      answers: Array<{ text: string; span_score: number; relevance_score: number; passage: Passage & { score: number } }>;
    };
    assert.equal(out.question, question);
    assert.ok(out.answers.length >= 1);
    // The same four passages through `dpr read` give the same spans.
    const search = await runCli(['search', '--model', questionModel, '--index', index, '-k', '4', '--json', question]);
    const hits = (JSON.parse(search.stdout) as { hits: Passage[] }).hits;
    const passages = join(dir, 'retrieved.jsonl');
    writeFileSync(passages, hits.map((h) => JSON.stringify({ id: h.id, title: h.title, text: h.text })).join('\n') + '\n');
    const read = await runCli([
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
      '1',
    ]);
    assert.equal(read.code, 0, read.stderr);
    const spans = JSON.parse(read.stdout) as Array<{ text: string; doc_id: number; span_score: number }>;
    assert.deepEqual(
      out.answers.map((a) => a.text),
      spans.map((s) => s.text),
    );
    assert.deepEqual(
      out.answers.map((a) => a.passage.id),
      spans.map((s) => hits[s.doc_id]!.id),
    );
  });
});
