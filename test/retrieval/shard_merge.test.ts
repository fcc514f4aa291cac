import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import type { EncodedRow, Embedder } from '../../src/retrieval/embedder.js';
import { readIndexManifest } from '../../src/retrieval/index_manifest.js';
import { mergeIndexes } from '../../src/retrieval/index_merge.js';
import { buildIndex, type BuildIndexOptions, type PassageInput } from '../../src/retrieval/index_writer.js';
import { LocalIndex } from '../../src/retrieval/local_index.js';

const root = mkdtempSync(join(tmpdir(), 'dpr-shards-'));
after(() => rmSync(root, { recursive: true, force: true }));

class FakeEmbedder implements Embedder {
  readonly dim = 4;
  async embed(rows: EncodedRow[]): Promise<Float32Array[]> {
    return rows.map((r) =>
      Float32Array.from([r.input_ids.length, r.input_ids.reduce((a, b) => a + b, 0) / 7, (r.input_ids[0] ?? 0) % 5, 1]),
    );
  }
  async dispose(): Promise<void> {}
}

const CORPUS: PassageInput[] = Array.from({ length: 23 }, (_, i) => ({
  id: i % 2 === 0 ? `p${i}` : i,
  title: `T${i}`,
  text: `passage ${i} ${'word '.repeat(i % 7)}`,
}));
async function* stream<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
const tokenize = (p: PassageInput): EncodedRow => {
  const ids = [...p.text].map((c) => c.charCodeAt(0) % 50);
  return { input_ids: ids, token_type_ids: ids.map(() => 0), attention_mask: ids.map(() => 1) };
};
const encoder = { model: 'fake', architecture: 'DPRContextEncoder' as const, config_sha256: 'x', max_length: 512 };
function options(outDir: string, extra: Partial<BuildIndexOptions> = {}): BuildIndexOptions {
  return { outDir, passages: stream(CORPUS), embedder: new FakeEmbedder(), tokenize, encoder, shardSize: 4, batchSize: 3, ...extra };
}

test('three shards built apart and merged equal a one-shot build, file for file', async () => {
  const whole = join(root, 'whole');
  await buildIndex(options(whole));
  const shards = [2, 0, 1].map((i) => join(root, `shard${i}`));
  for (const [n, dir] of shards.entries())
    await buildIndex(options(dir, { shard: { index: [2, 0, 1][n]!, of: 3, corpusCount: CORPUS.length } }));
  assert.deepEqual(readIndexManifest(shards[1]!).shard, { index: 0, of: 3, start: 0, end: 8, corpus_count: 23 });
  const merged = join(root, 'merged');
  await mergeIndexes({ shards, outDir: merged });
  for (const file of ['embeddings.f32', 'passages.jsonl', 'passages.offsets'])
    assert.deepEqual(readFileSync(join(merged, file)), readFileSync(join(whole, file)), file);
  const a = readIndexManifest(whole);
  const b = readIndexManifest(merged);
  assert.deepEqual({ ...b, shard: undefined }, { ...a, shard: undefined });
  const index = await LocalIndex.open(merged);
  const hits = await index.search([Float32Array.from([1, 0, 0, 0])], { k: 2 });
  await index.close();
  assert.equal(hits[0]!.length, 2);
});

test('merging refuses a gap, an overlap, another encoder and non-shards', async () => {
  const out = join(root, 'bad');
  const fail = async (shards: string[], pattern: RegExp): Promise<void> => {
    await assert.rejects(mergeIndexes({ shards, outDir: out }), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.match(e.message, pattern);
      return true;
    });
  };
  await fail([join(root, 'shard0'), join(root, 'shard2')], /gap: passages 8–15 are in none of them/);
  await fail(
    [join(root, 'shard0'), join(root, 'shard1'), join(root, 'shard1'), join(root, 'shard2')],
    /overlap: .*shard1 \(shard 1\) starts at passage 8/,
  );
  await fail([join(root, 'shard0'), join(root, 'shard1')], /gap: passages 16–22/);
  const other = join(root, 'other1');
  await buildIndex(options(other, { encoder: { ...encoder, config_sha256: 'y' }, shard: { index: 1, of: 3, corpusCount: 23 } }));
  await fail([join(root, 'shard0'), other, join(root, 'shard2')], /does not match .*shard0: encoder/);
  await fail([join(root, 'whole')], /is not a shard/);
});
