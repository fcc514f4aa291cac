import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { importIndex } from '../../src/retrieval/index_import.js';
import { IndexDamagedError } from '../../src/retrieval/index_manifest.js';
import { verifyIndex } from '../../src/retrieval/index_verify.js';
import { LocalIndex } from '../../src/retrieval/local_index.js';
import { referencePath } from '../helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-local-index-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SHARDS = [referencePath('index', 'emb_shard_0.pkl'), referencePath('index', 'emb_shard_1.pkl')];
const PASSAGES = referencePath('index', 'psgs.tsv');
const expected = JSON.parse(readFileSync(referencePath('index', 'expected_top100.json'), 'utf8')) as Record<
  string,
  Array<[string, number]>
>;
const queries = readFileSync(referencePath('index', 'queries.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; vector: number[] });
const queryVectors = queries.map((q) => Float32Array.from(q.vector));

const FLAT = join(dir, 'flat');
const HNSW = join(dir, 'hnsw');
before(async () => {
  await importIndex({ embeddings: SHARDS, passages: PASSAGES, outDir: FLAT, kind: 'flat' });
  await importIndex({ embeddings: SHARDS, passages: PASSAGES, outDir: HNSW, kind: 'hnsw' });
});

test('exact search over the imported DPR shards equals expected_top100 (ids in order, scores 1e-4)', async () => {
  const index = await LocalIndex.open(FLAT);
  try {
    assert.equal(index.kind, 'flat');
    const hits = await index.search(queryVectors, { k: 100 });
    queries.forEach((q, i) => {
      assert.deepEqual(
        hits[i]!.map((h) => h.id),
        expected[q.id]!.map(([id]) => id),
        q.id,
      );
      hits[i]!.forEach((h, r) =>
        assert.ok(Math.abs(h.score - expected[q.id]![r]![1]) <= 1e-4 * Math.max(1, Math.abs(h.score)), `${q.id} rank ${r}`),
      );
    });
    assert.match(hits[0]![0]!.text, /^Passage \d+ on the /);
  } finally {
    await index.close();
  }
});

test('the hnsw kind reaches recall@100 ≥ 0.95 on the reference queries, with exact scores', async () => {
  const index = await LocalIndex.open(HNSW);
  try {
    assert.equal(index.kind, 'hnsw');
    const hits = await index.search(queryVectors, { k: 100, candidates: 300 });
    let found = 0;
    queries.forEach((q, i) => {
      const truth = new Map(expected[q.id]!);
      for (const h of hits[i]!) {
        const exact = truth.get(String(h.id));
        if (exact !== undefined) {
          found++;
          assert.ok(Math.abs(h.score - exact) <= 1e-4 * Math.abs(exact), `${q.id}/${h.id}: ${h.score} vs ${exact}`);
        }
      }
    });
    const recall = found / (100 * queries.length);
    assert.ok(recall >= 0.95, `recall@100 ${recall}`);
  } finally {
    await index.close();
  }
});

test('verify passes on a fresh index and names a flipped byte; open refuses a truncated file', async () => {
  const copy = join(dir, 'damaged');
  await importIndex({ embeddings: SHARDS, passages: PASSAGES, outDir: copy, kind: 'flat' });
  assert.equal((await verifyIndex(copy)).ok, true);
  const path = join(copy, 'embeddings.f32');
  const bytes = readFileSync(path);
  bytes[5000]! ^= 0x10;
  writeFileSync(path, bytes);
  const report = await verifyIndex(copy);
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.files.filter((f) => f.problems.length > 0).map((f) => [f.file, f.problems]),
    [['embeddings.f32', [`bytes 0–${bytes.length - 1} differ from the recorded checksum`]]],
  );
  // Files of up to 256 MiB are checked at every open: this one is refused before any search.
  await assert.rejects(LocalIndex.open(copy), /damaged: embeddings\.f32 bytes 0–\d+ differ from the recorded checksum/);
  bytes[5000]! ^= 0x10;
  writeFileSync(path, bytes);
  const offsets = join(copy, 'passages.offsets');
  writeFileSync(offsets, readFileSync(offsets).subarray(0, 100));
  await assert.rejects(LocalIndex.open(copy), (e: unknown) => {
    assert.ok(e instanceof IndexDamagedError, String(e));
    assert.match(e.message, /passages\.offsets has 100 bytes but 8008 were recorded \(truncated\).*dpr index verify/);
    return true;
  });
});

test('deleted ids are never returned, by either kind, and stay deleted after reopening', async () => {
  for (const kind of ['flat', 'hnsw'] as const) {
    const out = join(dir, `delete-${kind}`);
    await importIndex({ embeddings: SHARDS, passages: PASSAGES, outDir: out, kind });
    const top = expected['q0']!.slice(0, 5).map(([id]) => id);
    let index = await LocalIndex.open(out);
    assert.equal(await index.delete([...top, 'no-such-id']), 5);
    assert.equal(await index.count(), 995);
    await index.close();
    index = await LocalIndex.open(out);
    const hits = await index.search(queryVectors, { k: 100, candidates: 300 });
    await index.close();
    const returned = new Set(hits.flat().map((h) => h.id));
    for (const id of top) assert.ok(!returned.has(id), `${kind}: deleted ${id} was returned`);
    assert.equal(hits[0]![0]!.id, expected['q0']![5]![0], `${kind}: the next best comes first`);
    assert.ok(hits.every((h) => h.length === 100 && h.every((x) => Number.isFinite(x.score))));
  }
});
