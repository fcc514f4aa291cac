import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { joinEmbeddingsWithPassages, type ImportRow, type JoinOptions } from '../../src/import/join.js';
import { referencePath } from '../helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-import-join-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rows(options: JoinOptions): Promise<ImportRow[]> {
  const out: ImportRow[] = [];
  for await (const r of joinEmbeddingsWithPassages(options)) out.push(r);
  return out;
}

const SHARDS = [referencePath('index', 'emb_shard_0.pkl'), referencePath('index', 'emb_shard_1.pkl')];

test('both DPR shards join psgs.tsv: 1000 rows in shard order, each with its own passage', async () => {
  const result = await rows({ embeddings: SHARDS, passages: referencePath('index', 'psgs.tsv') });
  assert.equal(result.length, 1000);
  result.forEach((r, i) => {
    assert.equal(r.id, String(i + 1));
    assert.match(r.text, new RegExp(`^Passage ${i + 1} on the `));
    assert.equal(r.vector.length, 768);
  });
  assert.equal(result[0]!.text, 'Passage 1 on the island of cluster 7; it quotes "island" once.');
  assert.equal(result[0]!.title, 'Topic 7 (island)');
});

test('JSONL embeddings with an id prefix join JSONL passages; missing and repeated ids are refused', async () => {
  const passages = join(dir, 'p.jsonl');
  writeFileSync(passages, '{"id":"a","title":"A","text":"alpha"}\n{"id":"b","text":"beta"}\n{"id":"c","text":"unused"}\n');
  const emb = join(dir, 'e.jsonl');
  writeFileSync(emb, '{"id":"wiki:b","vector":[1,2]}\n{"id":"wiki:a","vector":[3,4]}\n');
  const result = await rows({ embeddings: [emb], passages, idPrefix: 'wiki:' });
  assert.deepEqual(
    result.map((r) => [r.id, r.title, r.text, [...r.vector]]),
    [
      ['b', '', 'beta', [1, 2]],
      ['a', 'A', 'alpha', [3, 4]],
    ],
  );

  const missing = join(dir, 'm.jsonl');
  writeFileSync(missing, '{"id":"a","vector":[1,2]}\n{"id":"zz","vector":[1,2]}\n');
  await assert.rejects(rows({ embeddings: [missing], passages }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /m\.jsonl:2: passage id "zz" is not in .*p\.jsonl; give the passages file these embeddings were computed from/);
    return true;
  });
  await assert.rejects(
    rows({ embeddings: [emb, emb], passages, idPrefix: 'wiki:' }),
    /e\.jsonl:1: id "b" was embedded before, in this or an earlier file/,
  );
  const dupPassages = join(dir, 'dup.tsv');
  writeFileSync(dupPassages, 'id\ttext\ttitle\na\tx\tT\na\ty\tT\n');
  await assert.rejects(rows({ embeddings: [emb], passages: dupPassages }), /dup\.tsv:3: passage id "a" appears twice/);
});
