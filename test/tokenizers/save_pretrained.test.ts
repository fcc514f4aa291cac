/**
 * savePretrained → fromPretrained: the files HF writes (byte for byte where HF's own files are the
 * reference), the round trip on every reference tokenizer case, the fast classes' tokenizer.json,
 * and the atomic write.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TokenizerError } from '../../src/errors.js';
import {
  BertTokenizer,
  BertTokenizerFast,
  DPRContextEncoderTokenizer,
  DPRContextEncoderTokenizerFast,
  DPRQuestionEncoderTokenizer,
  DPRQuestionEncoderTokenizerFast,
  DPRReaderTokenizer,
  DPRReaderTokenizerFast,
  type BertTokenizerOptions,
  type EncodeOptions,
} from '../../src/tokenizers/index.js';
import { referencePath } from '../helpers/reference.js';
import { readCases, referenceVocab } from './helpers.js';

interface TableCase {
  kind: 'single' | 'pair' | 'batch' | 'overflow';
  settings?: string;
  options: Record<string, unknown>;
  text?: string;
  text_pair?: string;
  texts?: string[];
  tokens?: string[];
  input_ids?: number[];
  error?: string | null;
}

const cases = readCases<TableCase>('tokenizer_cases.json');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'dpr-tok-save-'));
const read = (dir: string, name: string): string => readFileSync(join(dir, name), 'utf8');

/** Every output the table's inputs give; errors count as outputs (their class and message). */
function outputsOnTable(tok: BertTokenizer, settings: string): unknown[] {
  const attempt = (f: () => unknown): unknown => {
    try {
      return f();
    } catch (e) {
      return { error: (e as Error).constructor.name, message: (e as Error).message };
    }
  };
  const out: unknown[] = [];
  for (const c of cases) {
    if (c.kind === 'single' && c.settings === settings) {
      out.push(
        tok.tokenize(c.text!),
        attempt(() => tok.encode(c.text!, null, { return_offsets_mapping: true })),
      );
    } else if (settings === 'uncased' && c.kind === 'pair') {
      out.push(attempt(() => tok.encode(c.text!, c.text_pair!, { ...(c.options as EncodeOptions), return_offsets_mapping: true })));
    } else if (settings === 'uncased' && c.kind === 'batch') {
      out.push(attempt(() => tok.encodeBatch(c.texts!, null, c.options as EncodeOptions)));
    } else if (settings === 'uncased' && c.kind === 'overflow') {
      out.push(attempt(() => tok.encode(c.text!, null, c.options as EncodeOptions)));
    }
  }
  return out;
}

describe('HF files, byte for byte', () => {
  for (const [name, cls] of [
    ['question_encoder', DPRQuestionEncoderTokenizer],
    ['context_encoder_proj', DPRContextEncoderTokenizer],
    ['reader', DPRReaderTokenizer],
  ] as const) {
    test(`${cls.name} from models/${name} saves the files HF saved`, async () => {
      const tok = await cls.fromPretrained(referencePath('models', name));
      const dir = join(tmp(), 'saved');
      const written = await tok.savePretrained(dir);
      assert.deepEqual(readdirSync(dir).sort(), ['special_tokens_map.json', 'tokenizer_config.json', 'vocab.txt']);
      assert.deepEqual(written.map((p) => p.slice(dir.length + 1)).sort(), readdirSync(dir).sort());
      for (const file of ['tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) {
        assert.equal(read(dir, file), read(referencePath('models', name), file), file);
      }
    });
  }

  test("a fast tokenizer writes the tokenizer.json HF's converter writes, and the slow class name in tokenizer_config.json", async () => {
    const tok = await DPRQuestionEncoderTokenizerFast.fromPretrained(referencePath('models', 'question_encoder'));
    assert.equal(tok.is_fast, true);
    assert.equal(DPRQuestionEncoderTokenizer.is_fast, false);
    const dir = join(tmp(), 'saved');
    await tok.savePretrained(dir);
    assert.deepEqual(readdirSync(dir).sort(), ['special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    assert.equal(read(dir, 'tokenizer_config.json'), read(referencePath('models', 'question_encoder'), 'tokenizer_config.json'));
    const written = JSON.parse(read(dir, 'tokenizer.json')) as Record<string, Record<string, unknown>>;
    const reference = JSON.parse(readFileSync(referencePath('vocab', 'bert-base-uncased-tokenizer.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    // The reference predates model.type; current HF writes it, and both readers accept either.
    assert.equal(written['model']!['type'], 'WordPiece');
    delete written['model']!['type'];
    assert.deepEqual(written, reference);
  });
});

describe('savePretrained → fromPretrained round trip on the reference tokenizer cases', () => {
  const settingsOf = new Map<string, Record<string, unknown>>();
  for (const c of cases) if (c.kind === 'single') settingsOf.set(c.settings!, c.options);
  const classes = [
    BertTokenizer,
    BertTokenizerFast,
    DPRQuestionEncoderTokenizerFast,
    DPRContextEncoderTokenizerFast,
    DPRReaderTokenizerFast,
  ] as const;
  for (const [settings, options] of settingsOf) {
    for (const cls of classes) {
      test(`${cls.name} ${settings}`, async () => {
        const original = new cls(referenceVocab(), { model_max_length: 512, ...(options as BertTokenizerOptions) });
        const dir = join(tmp(), 'saved');
        await original.savePretrained(dir);
        assert.equal(existsSync(join(dir, 'tokenizer.json')), cls.is_fast);
        const reloaded = await cls.fromPretrained(dir);
        assert.ok(reloaded instanceof cls);
        const expected = outputsOnTable(original, settings);
        assert.ok(expected.length >= 10, `${expected.length} outputs`);
        assert.deepEqual(outputsOnTable(reloaded, settings), expected);
        // The fast file alone carries the same tokenizer (model_max_length lives in tokenizer_config.json).
        if (cls.is_fast) {
          const onlyJson = join(tmp(), 'json');
          await original.savePretrained(onlyJson);
          for (const f of ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'])
            writeFileSync(join(onlyJson, f), f === 'vocab.txt' ? '[BROKEN]\n' : '{}');
          const fromJson = await cls.fromPretrained(onlyJson, { model_max_length: 512 });
          assert.deepEqual(outputsOnTable(fromJson, settings), expected);
        }
      });
    }
  }
});

describe('fast and slow read different files when both exist', () => {
  test('a fast class prefers tokenizer.json, a slow one vocab.txt', async () => {
    const dir = join(tmp(), 'both');
    await new BertTokenizerFast(referenceVocab(), { do_lower_case: false }).savePretrained(dir);
    // Make the two files disagree: vocab.txt's settings come from tokenizer_config.json, which now says lowercase.
    const config = JSON.parse(read(dir, 'tokenizer_config.json')) as Record<string, unknown>;
    delete config['do_lower_case'];
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
    const json = JSON.parse(read(dir, 'tokenizer.json')) as { normalizer: { lowercase: boolean } };
    assert.equal(json.normalizer.lowercase, false);
    // Cased, with an uncased vocabulary: "Paris" is unknown.
    assert.deepEqual((await BertTokenizerFast.fromPretrained(dir)).tokenize('Paris'), ['[UNK]']);
    assert.deepEqual((await BertTokenizer.fromPretrained(dir)).tokenize('Paris'), ['paris']);
  });
});

describe('atomic writes', () => {
  test('into an existing directory: other files stay, ours are replaced, no temporary directory is left', async () => {
    const parent = tmp();
    const dir = join(parent, 'model');
    await new DPRQuestionEncoderTokenizer(referenceVocab()).savePretrained(dir);
    writeFileSync(join(dir, 'config.json'), '{"architectures": ["DPRQuestionEncoder"]}');
    writeFileSync(join(dir, 'vocab.txt'), 'stale\n');
    await new DPRQuestionEncoderTokenizer(referenceVocab(), { model_max_length: 256 }).savePretrained(dir);
    assert.equal(read(dir, 'config.json'), '{"architectures": ["DPRQuestionEncoder"]}');
    assert.equal(read(dir, 'vocab.txt'), read(referencePath('vocab'), 'bert-base-uncased-vocab.txt'));
    assert.equal((await DPRQuestionEncoderTokenizer.fromPretrained(dir)).model_max_length, 256);
    assert.deepEqual(readdirSync(parent), ['model']);
  });

  test('a failed save leaves nothing behind; a file in the way is refused', async () => {
    const parent = tmp();
    // Two tokens share id 1: vocab.txt would renumber them.
    const bad = new BertTokenizer(
      new Map([
        ['[PAD]', 0],
        ['[UNK]', 1],
        ['[CLS]', 2],
        ['[SEP]', 3],
        ['dup', 1],
      ]),
    );
    await assert.rejects(
      bad.savePretrained(join(parent, 'x')),
      (e: unknown) => e instanceof TokenizerError && /ids are not 0\.\.4/.test(e.message),
    );
    assert.deepEqual(readdirSync(parent), []);
    writeFileSync(join(parent, 'file'), '');
    await assert.rejects(
      new BertTokenizer(referenceVocab()).savePretrained(join(parent, 'file')),
      (e: unknown) => e instanceof TokenizerError && /exists and is not a directory/.test(e.message),
    );
    await assert.rejects(
      new BertTokenizerFast(referenceVocab(), { do_basic_tokenize: false }).savePretrained(join(parent, 'y')),
      (e: unknown) => e instanceof TokenizerError && /do_basic_tokenize: false/.test(e.message),
    );
    assert.deepEqual(readdirSync(parent), ['file']);
  });
});
