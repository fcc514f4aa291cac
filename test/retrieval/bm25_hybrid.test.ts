/**
 * BM25 against Lucene's BM25 formula computed here independently (with Lucene's one-byte document
 * lengths), persistence without re-analysis, and Pyserini's fusion on hand-computed lists.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  analyzeForBm25,
  Bm25Index,
  BM25_INDEX_FILE,
  fuseHybrid,
  loadBm25Index,
  luceneStoredLength,
  PYSERINI_BM25_PARAMS,
  saveBm25Index,
  DPR_PAPER_FUSION,
} from '../../src/retrieval/index.js';
import { InputError } from '../../src/errors.js';

const PASSAGES = [
  { id: 'p1', title: 'Les Misérables', text: 'Les Misérables is a French historical novel by Victor Hugo, first published in 1862.' },
  {
    id: 'p2',
    title: 'Victor Hugo',
    text: 'Victor Hugo was a French Romantic writer. Hugo wrote poems, novels and plays; Hugo lived in exile.',
  },
  { id: 'p3', title: 'Paris', text: 'Paris is the capital and most populous city of France.' },
  { id: 'p4', title: 'Novel', text: 'A novel is a relatively long work of narrative fiction, typically written in prose.' },
  { id: 'p5', title: 'Exile', text: "Exile is the state of being barred from one's native country." },
];

/** Lucene BM25 written out from its definition, on the same analyzed terms. */
function referenceScores(query: string, k1: number, b: number): Map<string, number> {
  const docs = PASSAGES.map((p) => analyzeForBm25(`${p.title}\n${p.text}`));
  const avgdl = docs.reduce((s, d) => s + d.length, 0) / docs.length;
  const scores = new Map<string, number>();
  for (const term of analyzeForBm25(query)) {
    const n = docs.filter((d) => d.includes(term)).length;
    const idf = Math.log(1 + (docs.length - n + 0.5) / (n + 0.5));
    docs.forEach((d, i) => {
      const tf = d.filter((t) => t === term).length;
      if (tf === 0) return;
      const id = PASSAGES[i]!.id;
      scores.set(id, (scores.get(id) ?? 0) + (idf * tf) / (tf + k1 * (1 - b + (b * luceneStoredLength(d.length)) / avgdl)));
    });
  }
  return scores;
}

describe('analyzeForBm25', () => {
  test('word segmentation, lowercase, Lucene stop words, Porter stems', () => {
    assert.deepEqual(analyzeForBm25('The Novels were WRITTEN in exile, and published!'), ['novel', 'were', 'written', 'exil', 'publish']);
  });
  test("UAX #29 joins: U.S, don't, 3,500, 3.14 stay whole; one token per Han/Hiragana character", () => {
    assert.deepEqual(analyzeForBm25("U.S. don't 3,500 3.14 東京タワー x:y end."), [
      'u.',
      "don't",
      '3,500',
      '3.14',
      '東',
      '京',
      'タワー',
      'x:y',
      'end',
    ]);
  });
  test("Lucene's one-byte length: exact below 24, then 4 significant bits", () => {
    for (let l = 0; l < 26; l++) assert.equal(luceneStoredLength(l), l);
    assert.deepEqual([40, 41, 100, 1000].map(luceneStoredLength), [40, 40, 96, 984]);
  });
});

describe('Bm25Index', () => {
  const index = Bm25Index.build(PASSAGES);
  for (const query of ['Victor Hugo novel', 'exile hugo hugo', 'capital of France', 'nothing matches zzz']) {
    test(`scores equal Lucene's formula: ${query}`, () => {
      const expected = referenceScores(query, PYSERINI_BM25_PARAMS.k1, PYSERINI_BM25_PARAMS.b);
      const got = index.search(query, 10);
      assert.equal(got.length, expected.size);
      for (const hit of got)
        assert.ok(Math.abs(hit.score - expected.get(hit.id)!) < 1e-8, `${hit.id}: ${hit.score} vs ${expected.get(hit.id)}`);
      for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]!.score >= got[i]!.score);
    });
  }
  test('k limits the hits', () => assert.equal(index.search('victor hugo novel', 2).length, 2));
  test('saved beside a dense index and loaded without rebuilding: same hits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm25-'));
    await saveBm25Index(dir, index);
    const loaded = await loadBm25Index(dir);
    assert.deepEqual(loaded.search('Hugo exile', 5), index.search('Hugo exile', 5));
    assert.deepEqual(loaded.params, PYSERINI_BM25_PARAMS);
    assert.equal(loaded.size, 5);
  });
  test('bad input: too few passages, bad params, bad k, missing or foreign file', async () => {
    assert.deepEqual(Bm25Index.build([]).search('x', 3), []);
    assert.throws(() => Bm25Index.build(PASSAGES, { k1: 0.9, b: 2 }), /`b` within 0\.\.1/);
    assert.throws(() => index.search('x', 0), /positive integer/);
    const dir = mkdtempSync(join(tmpdir(), 'bm25-'));
    await assert.rejects(loadBm25Index(dir), (e: Error) => e instanceof InputError && /holds no BM25 index/.test(e.message));
    writeFileSync(join(dir, BM25_INDEX_FILE), '{"format":"other"}');
    await assert.rejects(
      loadBm25Index(dir),
      (e: Error) => e instanceof InputError && /bm25\.bin: not a tfjs-dpr-bm25 file; rebuild/.test(e.message),
    );
    const good = index.toBytes();
    await assert.rejects(
      Promise.resolve().then(() => Bm25Index.fromBytes(good.subarray(0, good.length - 4))),
      /truncated/,
    );
    assert.ok(readFileSync(join(dir, BM25_INDEX_FILE), 'utf8').length > 0);
  });
});

describe("fuseHybrid (Pyserini's _hybrid_results)", () => {
  const dense = [
    { id: 'a', score: 80 },
    { id: 'b', score: 79 },
    { id: 'c', score: 70 },
  ];
  const sparse = [
    { id: 'c', score: 12 },
    { id: 'd', score: 10 },
    { id: 'a', score: 4 },
  ];
  test('α·sparse + dense, a missing score takes its list minimum', () => {
    // a: 1.3·4 + 80 = 85.2; b: 1.3·4 + 79 = 84.2; c: 1.3·12 + 70 = 85.6; d: 1.3·10 + 70 = 83
    const got = fuseHybrid(dense, sparse, { alpha: 1.3 });
    assert.deepEqual(
      got.map((h) => h.id),
      ['c', 'a', 'b', 'd'],
    );
    assert.ok(Math.abs(got[0]!.score - 85.6) < 1e-12 && Math.abs(got[3]!.score - 83) < 1e-12);
    assert.deepEqual([got[2]!.dense, got[2]!.sparse], [79, null]);
  });
  test("DPR paper's BM25 + 1.1·sim", () => {
    // a: 4 + 88 = 92; b: 4 + 86.9 = 90.9; c: 12 + 77 = 89; d: 10 + 77 = 87
    assert.deepEqual(
      fuseHybrid(dense, sparse, DPR_PAPER_FUSION).map((h) => h.id),
      ['a', 'b', 'c', 'd'],
    );
  });
  test('normalization: (s − (min+max)/2) / (max − min), k cuts', () => {
    // dense mid 75 spread 10; sparse mid 8 spread 8. a: 0.5 + 0.1·(−0.5) = 0.45; c: −0.5 + 0.1·0.5 = −0.45
    const got = fuseHybrid(dense, sparse, { alpha: 0.1, normalization: true, k: 2 });
    assert.deepEqual(
      got.map((h) => h.id),
      ['a', 'b'],
    );
    assert.ok(Math.abs(got[0]!.score - 0.45) < 1e-12);
  });
  test('empty lists', () => assert.deepEqual(fuseHybrid([], []), []));
});
