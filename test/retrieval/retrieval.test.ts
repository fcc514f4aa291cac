/**
 * The retrieval library without the CLI: heap, bucketing, float16, the argument parser, JSONL
 * errors, blockwise search against brute force, and the index writer's crash/resume paths with a
 * deterministic fake embedder (fast, in-process).
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseArgs, type CommandSpec } from '../../src/cli/args.js';
import { readJsonl } from '../../src/cli/jsonl.js';
import { InputError } from '../../src/errors.js';
import {
  DenseIndex,
  bucketByLength,
  buildIndex,
  memorySource,
  searchVectors,
  TopK,
  type Embedder,
  type EncodedRow,
  type PassageInput,
} from '../../src/retrieval/index.js';

describe('TopK', () => {
  test('keeps the k best, best first, ties to the lower index (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        (scores, k) => {
          const heap = new TopK(k);
          scores.forEach((s, i) => heap.push(s, i));
          const expected = scores
            .map((score, index) => ({ index, score }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .slice(0, k);
          assert.deepEqual(heap.sorted(), expected);
        },
      ),
    );
  });
});

describe('bucketByLength', () => {
  test('every row once, batches within limits, sorted by length', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 100 }), fc.integer({ min: 1, max: 9 }), (lengths, batchSize) => {
        const batches = bucketByLength(lengths, { batchSize, maxTokens: 120 });
        assert.deepEqual(
          batches.flat().sort((a, b) => a - b),
          lengths.map((_, i) => i),
        );
        for (const b of batches) {
          assert.ok(b.length >= 1 && b.length <= batchSize);
          if (b.length > 1) assert.ok(Math.max(...b.map((i) => lengths[i]!)) * b.length <= 120);
        }
        const flat = batches.flat().map((i) => lengths[i]!);
        for (let i = 1; i < flat.length; i++) assert.ok(flat[i - 1]! <= flat[i]!);
      }),
    );
  });
});

describe('parseArgs', () => {
  const spec: CommandSpec = {
    name: 'dpr t',
    summary: '',
    usage: '',
    positionals: { name: 'q', description: '' },
    options: {
      k: { type: 'integer', short: 'k', min: 1, default: 10, description: '' },
      json: { type: 'boolean', description: '' },
      model: { type: 'string', required: true, description: '' },
    },
  };
  test('forms, defaults and errors', () => {
    assert.deepEqual(parseArgs(spec, ['--model=m', 'a', '-k', '3', '--json', '--', '--b']), {
      help: false,
      options: { model: 'm', k: 3, json: true },
      positionals: ['a', '--b'],
    });
    assert.equal(parseArgs(spec, ['--model', 'm']).options['k'], 10);
    assert.equal(parseArgs(spec, ['--help']).help, true);
    assert.throws(
      () => parseArgs(spec, ['--model', 'm', '--x']),
      (e: unknown) => e instanceof InputError && e.message === 'unknown option --x. Run `dpr t --help` for the options.',
    );
    assert.throws(() => parseArgs(spec, ['--model', 'm', '-k', '0']), /--k must be at least 1; got 0\./);
    assert.throws(() => parseArgs(spec, ['--model']), /--model needs a value/);
    assert.throws(() => parseArgs(spec, ['-k', '2']), /--model is required/);
    assert.throws(() => parseArgs(spec, ['--model', 'a', '--model', 'b']), /--model was given twice/);
  });
});

describe('readJsonl', () => {
  test('line numbers count blank lines; non-objects are rejected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpr-jsonl-'));
    const path = join(dir, 'x.jsonl');
    writeFileSync(path, '\uFEFF{"id":1,"text":"a"}\n\n{"id":2,"text":"b"}\n[1]\n');
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of readJsonl(path)) seen.push(r.line);
      })(),
      (e: unknown) => e instanceof InputError && e.message === `${path}:4: expected a JSON object like {"id": …, "text": …}, got an array.`,
    );
    assert.deepEqual(seen, [1, 3]);
    await assert.rejects(readJsonl(join(dir, 'missing.jsonl')).next(), /missing\.jsonl does not exist; check the path/);
  });
});

describe('searchVectors', () => {
  test('blockwise scores equal brute force across block boundaries', async () => {
    const dim = 5;
    const count = 23;
    let seed = 3;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const matrix = Float32Array.from({ length: count * dim }, rand);
    const queries = [0, 1, 2].map(() => Float32Array.from({ length: dim }, rand));
    const hits = await searchVectors(memorySource(matrix, dim), queries, { k: 6, blockRows: 4 });
    queries.forEach((q, qi) => {
      const brute = Array.from({ length: count }, (_, i) => ({ index: i, score: q.reduce((s, x, d) => s + x * matrix[i * dim + d]!, 0) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 6);
      assert.deepEqual(
        hits[qi]!.map((h) => h.index),
        brute.map((b) => b.index),
      );
      hits[qi]!.forEach((h, r) => assert.ok(Math.abs(h.score - brute[r]!.score) < 1e-5));
    });
    await assert.rejects(
      searchVectors(memorySource(matrix, dim), [new Float32Array(4)], { k: 1 }),
      /query 0 has 4 values but the index holds vectors of 5/,
    );
  });
});

/** Deterministic vectors from token ids; can be told to fail after some batches (a crash). */
class FakeEmbedder implements Embedder {
  readonly dim = 3;
  batches = 0;
  constructor(private readonly failAfter = Infinity) {}
  async embed(rows: EncodedRow[]): Promise<Float32Array[]> {
    if (this.batches++ >= this.failAfter) throw new Error('simulated crash');
    return rows.map((r) => Float32Array.from([r.input_ids.length, r.input_ids.reduce((a, b) => a + b, 0) / 7, (r.input_ids[0] ?? 0) % 5]));
  }
  async dispose(): Promise<void> {}
}

function passages(n: number, change?: number): PassageInput[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    title: i % 3 === 0 ? '' : `T${i}`,
    text: `passage ${i === change ? 'changed' : i} ${'word '.repeat(i % 7)}`,
  }));
}

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe('buildIndex', () => {
  const tokenize = (p: PassageInput): EncodedRow => {
    const ids = [...p.text].map((c) => c.charCodeAt(0) % 50);
    return { input_ids: ids, token_type_ids: ids.map(() => 0), attention_mask: ids.map(() => 1) };
  };
  const encoder = { model: 'fake', architecture: 'DPRContextEncoder' as const, config_sha256: 'x', max_length: 512 };
  const base = { tokenize, encoder, shardSize: 5, batchSize: 2 };

  test('crash, garbage after the checkpoint, resume: identical bytes; readable index', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dpr-build-'));
    const full = join(root, 'full');
    await buildIndex({ ...base, outDir: full, passages: stream(passages(23)), embedder: new FakeEmbedder() });
    const out = join(root, 'crashed');
    await assert.rejects(
      buildIndex({ ...base, outDir: out, passages: stream(passages(23)), embedder: new FakeEmbedder(7) }),
      /simulated crash/,
    );
    assert.equal(existsSync(join(out, 'manifest.json')), false);
    // A crash between writing a shard and its checkpoint leaves bytes past the checkpoint.
    appendFileSync(join(out, '.build', 'embeddings.part'), Buffer.alloc(13, 1));
    appendFileSync(join(out, '.build', 'passages.part'), '{"id":"junk"');
    await assert.rejects(
      buildIndex({ ...base, batchSize: 3, outDir: out, passages: stream(passages(23)), embedder: new FakeEmbedder(), resume: true }),
      (e: unknown) => e instanceof InputError && /different settings \(batch_size was 2, now 3\)/.test(e.message),
    );
    await assert.rejects(
      buildIndex({
        ...base,
        encoder: { ...encoder, kernels: 'wasm/tfjs' },
        outDir: out,
        passages: stream(passages(23)),
        embedder: new FakeEmbedder(),
        resume: true,
      }),
      (e: unknown) => e instanceof InputError && /different settings \(kernels was undefined, now "wasm\/tfjs"\)/.test(e.message),
    );
    await assert.rejects(
      buildIndex({ ...base, outDir: out, passages: stream(passages(23, 2)), embedder: new FakeEmbedder(), resume: true }),
      /the first 10 passages differ from those the interrupted build .* stored/,
    );
    const result = await buildIndex({ ...base, outDir: out, passages: stream(passages(23)), embedder: new FakeEmbedder(), resume: true });
    assert.equal(result.resumedFrom, 10);
    for (const f of readdirSync(full)) assert.ok(readFileSync(join(full, f)).equals(readFileSync(join(out, f))), f);
    assert.equal(existsSync(join(out, '.build')), false);

    const index = await DenseIndex.open(out);
    try {
      assert.equal(index.count, 23);
      assert.deepEqual(await index.passage(22), { id: 'p22', title: 'T22', text: passages(23)[22]!.text });
      assert.deepEqual(await index.passage(0), { id: 'p0', title: '', text: passages(1)[0]!.text });
      const v = await index.readVectors(22, 1);
      assert.deepEqual(Array.from(v), Array.from(await new FakeEmbedder().embed([tokenize(passages(23)[22]!)]).then((x) => x[0]!)));
    } finally {
      await index.close();
    }
  });

  test('an empty corpus is an error; a truncated embedding file is detected on open', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dpr-build-'));
    await assert.rejects(
      buildIndex({ ...base, outDir: join(root, 'e'), passages: stream([]), embedder: new FakeEmbedder() }),
      /the corpus holds no passages/,
    );
    const out = join(root, 'ok');
    await buildIndex({ ...base, outDir: out, passages: stream(passages(4)), embedder: new FakeEmbedder(), dtype: 'float16' });
    writeFileSync(join(out, 'embeddings.f16'), Buffer.alloc(10));
    await assert.rejects(
      DenseIndex.open(out),
      /embeddings\.f16 has 10 bytes but the manifest \(4 × 3, float16\) implies 24; rebuild the index/,
    );
  });

  test('errors name the API options (overwrite, resume, outDir), never CLI flags', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dpr-build-'));
    const out = join(root, 'idx');
    await buildIndex({ ...base, outDir: out, passages: stream(passages(3)), embedder: new FakeEmbedder() });
    await assert.rejects(
      buildIndex({ ...base, outDir: out, passages: stream(passages(3)), embedder: new FakeEmbedder() }),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          `${out} already holds an index (manifest.json); pass \`overwrite: true\` to replace it, or choose another \`outDir\`.`,
    );
    const crashed = join(root, 'crashed');
    await assert.rejects(
      buildIndex({ ...base, outDir: crashed, passages: stream(passages(23)), embedder: new FakeEmbedder(7) }),
      /simulated crash/,
    );
    await assert.rejects(
      buildIndex({ ...base, outDir: crashed, passages: stream(passages(23)), embedder: new FakeEmbedder() }),
      (e: unknown) =>
        e instanceof InputError &&
        /holds an interrupted build \(.*\); pass `resume: true` to continue it/.test(e.message) &&
        !e.message.includes('--'),
    );
    const replaced = await buildIndex({
      ...base,
      outDir: out,
      passages: stream(passages(5)),
      embedder: new FakeEmbedder(),
      overwrite: true,
      dtype: 'float16',
    });
    assert.equal(replaced.manifest.count, 5);
    assert.deepEqual(readdirSync(out).sort(), ['embeddings.f16', 'manifest.json', 'passages.jsonl', 'passages.offsets']);
  });
});
