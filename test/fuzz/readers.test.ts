/**
 * Fuzzing every reader of user-supplied files (issue 15): random bytes and random mutations of a
 * valid JSONL corpus, index manifest, passage offsets, config.json and vocab.txt. Each outcome is
 * a correct result or the reader's typed error — never another exception (TypeError, RangeError
 * "Invalid typed array length"), a hang (each test has a deadline) or an allocation sized by the
 * damage. The TSV passage reader is fuzzed with its own code (ann branch).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { readJsonl, toTextRecord } from '../../src/cli/jsonl.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError, DPRError, InputError, TokenizerError } from '../../src/errors.js';
import { buildIndex } from '../../src/retrieval/index_writer.js';
import { DenseIndex } from '../../src/retrieval/index_format.js';
import { BertTokenizer } from '../../src/tokenizers/index.js';
import { PROJECT_ROOT, referencePath } from '../helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-fuzz-readers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fn`; anything thrown must be one of `allowed`. */
async function typedOnly(allowed: ReadonlyArray<new (...args: never[]) => Error>, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!allowed.some((C) => e instanceof C))
      throw new Error(`expected success or ${allowed.map((c) => c.name).join('/')}, got ${(e as Error)?.stack ?? String(e)}`, { cause: e });
  }
}

/** A mutation of `bytes`: flip, set, insert or delete bytes at random places. */
const mutation = (length: number) =>
  fc.array(
    fc.record({
      at: fc.nat({ max: Math.max(0, length - 1) }),
      kind: fc.constantFrom('flip', 'set', 'insert', 'delete'),
      value: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: 8 },
  );

function mutate(bytes: Buffer, edits: Array<{ at: number; kind: string; value: number }>): Buffer {
  let out = Buffer.from(bytes);
  for (const { at, kind, value } of edits) {
    const i = Math.min(at, Math.max(0, out.length - 1));
    if (kind === 'flip' && out.length > 0) out[i] = out[i]! ^ (1 << (value % 8));
    else if (kind === 'set' && out.length > 0) out[i] = value;
    else if (kind === 'insert') out = Buffer.concat([out.subarray(0, i), Buffer.from([value]), out.subarray(i)]);
    else if (kind === 'delete') out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
  }
  return out;
}

const runs = { numRuns: 150, seed: 15 };

describe('fuzzed readers', () => {
  const corpus = readFileSync(join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl')).subarray(0, 1500);
  const jsonlPath = join(dir, 'fuzz.jsonl');

  async function readAll(path: string): Promise<number> {
    let n = 0;
    for await (const record of readJsonl(path)) {
      toTextRecord(record, path, true);
      n++;
    }
    return n;
  }

  test('JSONL: random bytes and mutations of a corpus give records or an InputError naming FILE:LINE', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        writeFileSync(jsonlPath, bytes);
        await typedOnly([InputError], () => readAll(jsonlPath));
      }),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(mutation(corpus.length), async (edits) => {
        writeFileSync(jsonlPath, mutate(corpus, edits));
        try {
          await readAll(jsonlPath);
        } catch (e) {
          assert.ok(e instanceof InputError, String(e));
          assert.match(e.message, /^.*fuzz\.jsonl:\d+: /);
        }
      }),
      runs,
    );
  });

  const indexDir = join(dir, 'index');
  before(async () => {
    const passages = (async function* () {
      for (let i = 0; i < 12; i++) yield { id: i, title: `t${i}`, text: `passage number ${i} é 漢` };
    })();
    await buildIndex({
      outDir: indexDir,
      passages,
      embedder: { dim: 4, embed: async (rows) => rows.map((_, r) => Float32Array.from([r, 1, 2, 3])), dispose: async () => undefined },
      tokenize: () => ({ input_ids: [1, 2], token_type_ids: [0, 0], attention_mask: [1, 1] }),
      encoder: { model: 'fuzz', architecture: 'DPRContextEncoder', config_sha256: '0', max_length: 8 },
      shardSize: 5,
    });
  });

  /** Opens the index in `path` and reads every vector and passage. */
  async function readIndex(path: string): Promise<void> {
    const index = await DenseIndex.open(path);
    try {
      await index.readVectors(0, index.count);
      for (let i = 0; i < index.count; i++) await index.passage(i);
    } finally {
      await index.close();
    }
  }

  for (const file of ['manifest.json', 'passages.offsets', 'passages.jsonl']) {
    test(`index: mutations of ${file} give a usable index or an InputError ("not a usable index")`, { timeout: 180_000 }, async () => {
      const original = readFileSync(join(indexDir, file));
      const copy = join(dir, `index-${file}`);
      cpSync(indexDir, copy, { recursive: true });
      await readIndex(copy); // the unmutated copy reads
      await fc.assert(
        fc.asyncProperty(mutation(original.length), async (edits) => {
          writeFileSync(join(copy, file), mutate(original, edits));
          await typedOnly([InputError], () => readIndex(copy));
        }),
        runs,
      );
      // Same-size random bytes (a flipped disk block keeps the size the manifest implies).
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: original.length, maxLength: original.length }), async (bytes) => {
          writeFileSync(join(copy, file), bytes);
          await typedOnly([InputError], () => readIndex(copy));
        }),
        runs,
      );
    });
  }

  test('config.json: random bytes and mutations give a config or a ConfigError', { timeout: 120_000 }, async () => {
    const modelDir = join(dir, 'config');
    mkdirSync(modelDir);
    const original = readFileSync(referencePath('models', 'question_encoder', 'config.json'));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          mutation(original.length).map((e) => mutate(original, e)),
        ),
        async (bytes) => {
          writeFileSync(join(modelDir, 'config.json'), bytes);
          await typedOnly([ConfigError], async () => loadConfig(modelDir));
        },
      ),
      runs,
    );
  });

  test('vocab.txt: random bytes and mutations give a tokenizer that encodes, or a TokenizerError', { timeout: 180_000 }, async () => {
    const modelDir = join(dir, 'vocab');
    mkdirSync(modelDir);
    for (const f of ['tokenizer_config.json', 'special_tokens_map.json'])
      cpSync(referencePath('models', 'question_encoder', f), join(modelDir, f));
    const vocab = readFileSync(referencePath('models', 'question_encoder', 'vocab.txt')).subarray(0, 4000);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          mutation(vocab.length).map((e) => mutate(vocab, e)),
        ),
        async (bytes) => {
          writeFileSync(join(modelDir, 'vocab.txt'), bytes);
          await typedOnly([TokenizerError, ConfigError, InputError], async () => {
            const tokenizer = await BertTokenizer.fromPretrained(modelDir);
            const enc = tokenizer.encode('Hello, wörld! 漢字 [SEP] unknownword', null, { truncation: true });
            for (const id of enc.input_ids) assert.ok(Number.isInteger(id) && id >= 0, `id ${id}`);
          });
        },
      ),
      { numRuns: 60, seed: 15 },
    );
  });

  test('typed errors are DPRErrors (so the CLI prints them as one line)', () => {
    for (const C of [InputError, ConfigError, TokenizerError]) assert.ok(new C('x') instanceof DPRError);
  });
});
