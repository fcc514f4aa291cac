/**
 * `dpr read` equals HF's DPRReaderTokenizer + DPRReader + decode_best_spans on the reference
 * reader (reader_cases.json case 0: padding longest, no truncation needed).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import type { DPRSpanPrediction } from '../../src/tokenizers/index.js';
import { referencePath } from '../helpers/reference.js';
import { READER_MODEL, tempDir } from './fixtures.js';

type Span = DPRSpanPrediction;
interface ReaderCase {
  questions: string;
  titles: string[];
  texts: string[];
  options: { padding: unknown; truncation?: unknown };
  best_spans?: Array<{ options: { num_spans: number; max_answer_length: number; num_spans_per_passage: number }; spans: Span[] }>;
}

describe('dpr read', () => {
  const cases = JSON.parse(readFileSync(referencePath('reader_cases.json'), 'utf8')) as ReaderCase[];
  const withSpans = cases.filter((c) => c.best_spans !== undefined && c.options.padding === 'longest');
  const dir = tempDir();

  test('reference has a padding-longest case with decode_best_spans results', () => {
    assert.ok(withSpans.length >= 1);
  });

  for (const [ci, c] of withSpans.entries()) {
    const passages = join(dir, `case${ci}.jsonl`);
    writeFileSync(passages, c.titles.map((title, i) => JSON.stringify({ id: `p${i}`, title, text: c.texts[i] })).join('\n') + '\n');
    for (const expected of c.best_spans!) {
      const o = expected.options;
      test(`case ${ci}: num_spans ${o.num_spans}, max_answer_length ${o.max_answer_length}, per passage ${o.num_spans_per_passage}`, async () => {
        const r = await runCli([
          'read',
          '--model',
          READER_MODEL(),
          '--question',
          c.questions,
          '--passages',
          passages,
          '--json',
          '--num-spans',
          String(o.num_spans),
          '--max-answer-length',
          String(o.max_answer_length),
          '--num-spans-per-passage',
          String(o.num_spans_per_passage),
        ]);
        assert.equal(r.code, 0, r.stderr);
        const got = JSON.parse(r.stdout) as Span[];
        assert.equal(got.length, expected.spans.length);
        got.forEach((s, i) => {
          const e = expected.spans[i]!;
          assert.deepEqual(Object.keys(s), ['span_score', 'relevance_score', 'doc_id', 'start_index', 'end_index', 'text']);
          assert.deepEqual([s.doc_id, s.start_index, s.end_index, s.text], [e.doc_id, e.start_index, e.end_index, e.text], `span ${i}`);
          assert.ok(Math.abs(s.span_score - e.span_score) < 1e-4, `span ${i} span_score ${s.span_score} vs ${e.span_score}`);
          assert.ok(
            Math.abs(s.relevance_score - e.relevance_score) < 1e-4,
            `span ${i} relevance ${s.relevance_score} vs ${e.relevance_score}`,
          );
        });
      });
    }
  }

  test('human output lists each span with its scores and passage', async () => {
    const c = withSpans[0]!;
    const r = await runCli([
      'read',
      '--model',
      READER_MODEL(),
      '--question',
      c.questions,
      '--passages',
      join(dir, 'case0.jsonl'),
      '--num-spans',
      '2',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const first = c.best_spans![0]!.spans[0]!;
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    // People see the answer without the [SEP] HF's decode keeps when a span crosses the title; --json keeps HF's text.
    assert.ok(first.text.includes('[SEP]'), 'this reference span crosses a [SEP]');
    assert.equal(lines[0], `  1  ${first.text.replace(' [SEP] ', ' ')}`);
    assert.match(
      lines[1]!,
      new RegExp(`^ {5}span \\d+\\.\\d{4}  relevance \\d+\\.\\d{4}  from p${first.doc_id} \\(${c.titles[first.doc_id]}\\)$`),
    );
  });
});
