/**
 * `dpr eval` end to end on the sample corpus: index it (with BM25) using the small reference
 * context encoder, evaluate data/sample_qa.csv, and check top-k accuracy against a table computed
 * here by hand: which passages hold each answer is listed below (read off the corpus), and each
 * question's first-hit rank is the best position of those passages in `dpr search --json`'s full
 * ranking. Then the same numbers from saved results, hybrid search, the reader, and bad input.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { exactMatchAny } from '../../src/eval/index.js';
import { runCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { CONTEXT_MODEL, QUESTION_MODEL, READER_MODEL, pairedQuestionEncoder, tempDir } from './fixtures.js';

const QA = join(PROJECT_ROOT, 'data', 'sample_qa.csv');
const CORPUS = join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl');
const CORPUS_SIZE = 342;

// The passages whose text holds an answer of data/sample_qa.csv, question by question (by hand).
const ANSWER_PASSAGES: string[][] = [
  ['country-france', 'river-seine', 'landmark-eiffel-tower', 'fact-mona-lisa'],
  ['person-alexander-fleming', 'invention-penicillin'],
  ['book-pride-and-prejudice'],
  ['fact-magna-carta'],
  ['country-iceland'],
  ['book-wuthering-heights'],
  ['invention-dynamite', 'fact-nobel-prize'],
  ['fact-python-programming-language'],
  ['fact-olympic-games'],
  ['book-one-hundred-years-of-solitude'],
  ['invention-world-wide-web'],
  [], // Poseidonis is nowhere
];
const QUESTIONS = 12;
const KS = [1, 5, 20, 100];

interface SearchLine {
  id: number;
  question: string;
  hits: { id: string; text: string }[];
}

/** The expected {"top_k_accuracy", "first_hit_rank"} from a full ranking per question, of which eval sees the first max(k). */
function expectedTable(rankings: string[][]): { top_k_accuracy: Record<string, number>; first_hit_rank: Record<string, number | null> } {
  const maxK = Math.max(...KS);
  const ranks = rankings.map((ids, q) => {
    const positions = ANSWER_PASSAGES[q]!.map((id) => ids.indexOf(id)).filter((p) => p >= 0 && p < maxK);
    return positions.length === 0 ? null : Math.min(...positions) + 1;
  });
  const top_k_accuracy: Record<string, number> = {};
  for (const k of KS) top_k_accuracy[String(k)] = ranks.filter((r) => r !== null && r <= k).length / QUESTIONS;
  return { top_k_accuracy, first_hit_rank: Object.fromEntries(ranks.map((r, i) => [String(i), r])) };
}

describe('dpr eval', () => {
  const dir = tempDir('dpr-eval-');
  const index = join(dir, 'index');
  const questionsJsonl = join(dir, 'questions.jsonl');
  let questionModel: string;

  before(async () => {
    questionModel = pairedQuestionEncoder(dir);
    const r = await runCli([
      'index',
      'build',
      '--model',
      CONTEXT_MODEL(),
      '--passages',
      CORPUS,
      '--out',
      index,
      '--bm25',
      '--batch-size',
      '32',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote the BM25 index of 342 passages to .*bm25\.bin \(k1 0\.9, b 0\.4\)/);
    const questions = [
      'what is the capital of france?',
      'who discovered penicillin?',
      'who wrote pride and prejudice?',
      'in which year was magna carta agreed?',
      'what is the capital of iceland?',
      'who wrote wuthering heights?',
      'who invented dynamite?',
      'who created the python programming language?',
      'who founded the modern olympic games?',
      "who wrote 'one hundred years of solitude'?",
      'who invented the world wide web?',
      'what is the capital of atlantis?',
    ];
    writeFileSync(questionsJsonl, questions.map((text, i) => JSON.stringify({ id: i, text })).join('\n') + '\n');
  });

  async function fullRanking(extra: string[] = []): Promise<{ rankings: string[][]; jsonl: string }> {
    const r = await runCli([
      'search',
      '--model',
      questionModel,
      '--index',
      index,
      '--input',
      questionsJsonl,
      '-k',
      String(CORPUS_SIZE),
      '--json',
      ...extra,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SearchLine);
    assert.equal(lines.length, QUESTIONS);
    return { rankings: lines.map((l) => l.hits.map((h) => h.id)), jsonl: r.stdout };
  }

  test('top-k accuracy equals the hand-computed table (dense), from a search and from saved results', async () => {
    const { rankings, jsonl } = await fullRanking();
    const expected = expectedTable(rankings);
    const r = await runCli(['eval', 'retrieval', '--model', questionModel, '--index', index, '--qa', QA, '-k', '1,5,20,100', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { questions: QUESTIONS, ...expected });
    const saved = join(dir, 'run.jsonl');
    writeFileSync(saved, jsonl);
    // Saved results hold all 342 passages per question; -k 1,5,20,100 looks at the first 100, as above.
    const again = await runCli(['eval', 'retrieval', '--qa', QA, '--retrieved', saved, '-k', '1,5,20,100', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { questions: QUESTIONS, ...expected });
    const human = await runCli(['eval', 'retrieval', '--qa', QA, '--retrieved', saved, '-k', '100,20']);
    const hits100 = Math.round(expected.top_k_accuracy['100']! * QUESTIONS);
    assert.match(
      human.stdout,
      new RegExp(
        `^questions: 12\\n  k       accuracy   hits\\n  top-20 .*\\n  top-100 *${(hits100 / 0.12).toFixed(2)} %   ${hits100}/12\\n$`,
      ),
    );
  });

  test('--hybrid: the table from the fused ranking; BM25 puts every answerable question first here', async () => {
    const { rankings } = await fullRanking(['--hybrid']);
    const expected = expectedTable(rankings);
    const r = await runCli(['eval', 'retrieval', '--model', questionModel, '--index', index, '--qa', QA, '--hybrid', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { questions: QUESTIONS, ...expected });
    // The encoder is random, so BM25 (weighted 1.3) decides: 11 of 12 at rank 1, Atlantis never.
    assert.deepEqual(expected.top_k_accuracy, { '1': 11 / 12, '5': 11 / 12, '20': 11 / 12, '100': 11 / 12 });
  });

  test('dpr eval reader and dpr eval ask: exact match of the best span against every gold answer', async () => {
    const { jsonl } = await fullRanking();
    // The first three questions keep the reader's share of the test time small.
    const saved = join(dir, 'run_reader.jsonl');
    writeFileSync(saved, jsonl.split('\n').slice(0, 3).join('\n') + '\n');
    const qa3 = join(dir, 'qa3.csv');
    writeFileSync(qa3, readFileSync(QA, 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    const r = await runCli(['eval', 'reader', '--model', READER_MODEL(), '--qa', qa3, '--retrieved', saved, '--passages', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as {
      questions: number;
      exact_match: number;
      per_question: Record<string, { prediction: string; exact_match: boolean }>;
    };
    assert.equal(got.questions, 3);
    const answers = [['Paris'], ['Alexander Fleming', 'Fleming']];
    for (const [i, gold] of answers.entries()) {
      const q = got.per_question[String(i)]!;
      assert.equal(typeof q.prediction, 'string');
      assert.equal(q.exact_match, exactMatchAny(q.prediction, gold));
    }
    const hits = Object.values(got.per_question).filter((q) => q.exact_match).length;
    assert.equal(got.exact_match, hits / 3);
    const ask = await runCli([
      'eval',
      'ask',
      '--question-model',
      questionModel,
      '--reader-model',
      READER_MODEL(),
      '--index',
      index,
      '--qa',
      qa3,
      '--passages',
      '3',
      '--hybrid',
    ]);
    assert.equal(ask.code, 0, ask.stderr);
    assert.match(ask.stdout, /^questions: 3\nexact match: \d+\.\d\d % {3}\d\/3\n$/);
  });

  test('bad input: one line naming the file:line or the flag, exit 1, nothing evaluated', async () => {
    const bad = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const noBm25 = join(dir, 'index_without_bm25');
    cpSync(index, noBm25, { recursive: true });
    rmSync(join(noBm25, 'bm25.bin'));
    const base = ['eval', 'retrieval', '--model', questionModel, '--index', index];
    const cases: [string[], RegExp][] = [
      [[...base, '--qa', QA, '-k', '0'], /-k takes positive whole numbers .*got "0"/],
      [[...base, '--qa', bad('notab.csv', "q1\t['a']\nno tab\n")], /notab\.csv:2: expected question<TAB>answers/],
      [
        [...base, '--qa', bad('ints.csv', 'q1\t[1]\n')],
        /ints\.csv:1: the answers are not a Python list of strings: expected a string literal/,
      ],
      [[...base, '--qa', bad('empty.csv', 'q1\t[]\n')], /empty\.csv:1: the answers list is empty/],
      [
        ['eval', 'retrieval', '--model', QUESTION_MODEL(), '--index', index, '--qa', QA],
        /gives vectors of 32 values but the index .* holds 16; use the question encoder paired/,
      ],
      [
        ['eval', 'retrieval', '--model', questionModel, '--index', noBm25, '--qa', QA, '--hybrid'],
        /--hybrid needs a BM25 index in .*; build it with `dpr index bm25 --index/,
      ],
      [[...base, '--qa', QA, '--alpha', '2'], /--alpha only applies with --hybrid/],
      [['eval', 'retrieval', '--qa', QA], /missing --model, --index/],
      [
        ['eval', 'retrieval', '--retrieved', bad('run.jsonl', '{"id":1,"question":"q","hits":[]}\n')],
        /run\.jsonl:1: these results carry no answers; give the QA file/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 1, `${args.join(' ')}\n${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});
