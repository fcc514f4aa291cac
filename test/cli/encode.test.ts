/**
 * `dpr encode` as a user runs it, against the library called in-process: same vectors within
 * 1e-5, for a context encoder (title/text pairs, no title, empty title) and a question encoder.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { TFDPRContextEncoder, TFDPRQuestionEncoder } from '../../src/index.js';
import { DPRContextEncoderTokenizer, DPRQuestionEncoderTokenizer, type BertTokenizer } from '../../src/tokenizers/index.js';
import { expectAllClose } from '../helpers/all_close.js';
import { runCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { CONTEXT_MODEL, QUESTION_MODEL, tempDir } from './fixtures.js';

interface Row {
  id: string | number;
  text: string;
  title?: string;
}

function sampleRows(n: number): Row[] {
  const lines = readFileSync(join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .slice(0, n);
  const rows = lines.map((l) => JSON.parse(l) as Row);
  // Cover: no title, an empty title, a numeric id, a long text that must be truncated to 512 tokens.
  delete rows[1]!.title;
  rows[2]!.title = '';
  rows[3]!.id = 42;
  rows[4]!.text = 'the river flows north into the sea . '.repeat(120);
  return rows;
}

async function libraryVectors(
  model: TFDPRContextEncoder | TFDPRQuestionEncoder,
  tokenizer: BertTokenizer,
  rows: Row[],
  pair: boolean,
): Promise<number[][]> {
  const out: number[][] = [];
  for (const row of rows) {
    const enc =
      pair && row.title
        ? tokenizer.encode(row.title, row.text, { truncation: true })
        : tokenizer.encode(row.text, null, { truncation: true });
    const result = model.call({ input_ids: [enc.input_ids], token_type_ids: [enc.token_type_ids], attention_mask: [enc.attention_mask!] });
    out.push(Array.from(await result.pooler_output.data()));
    tf.dispose(result as unknown as tf.TensorContainer);
  }
  return out;
}

function readVectors(path: string): Array<{ id: unknown; vector: number[] }> {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: unknown; vector: number[] });
}

describe('dpr encode', () => {
  const dir = tempDir();
  const rows = sampleRows(40);
  const input = join(dir, 'in.jsonl');
  before(() => writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n') + '\n'));

  let context: TFDPRContextEncoder;
  let question: TFDPRQuestionEncoder;
  before(async () => {
    context = await TFDPRContextEncoder.fromPretrained(CONTEXT_MODEL());
    question = await TFDPRQuestionEncoder.fromPretrained(QUESTION_MODEL());
  });
  after(() => {
    context.dispose();
    question.dispose();
  });

  test('a context encoder encodes (title, text) pairs, or text alone; equals the library within 1e-5', async () => {
    const output = join(dir, 'ctx.jsonl');
    const result = await runCli(['encode', '--model', CONTEXT_MODEL(), '--input', input, '--output', output, '--batch-size', '7']);
    assert.equal(result.code, 0, result.stderr);
    const got = readVectors(output);
    assert.deepEqual(
      got.map((g) => g.id),
      rows.map((r) => r.id),
    );
    const expected = await libraryVectors(context, await DPRContextEncoderTokenizer.fromPretrained(CONTEXT_MODEL()), rows, true);
    got.forEach((g, i) => {
      assert.equal(g.vector.length, 16);
      expectAllClose(g.vector, expected[i]!, { atol: 1e-5, label: `passage ${i}` });
    });
    // The title matters: the pair encoding differs from the text alone.
    const textOnly = await libraryVectors(
      context,
      await DPRContextEncoderTokenizer.fromPretrained(CONTEXT_MODEL()),
      [{ ...rows[0]!, title: '' }],
      true,
    );
    assert.ok(Math.abs(textOnly[0]![0]! - got[0]!.vector[0]!) > 1e-3, 'the title changed nothing');
  });

  test('a question encoder encodes text (stdin to stdout); equals the library within 1e-5', async () => {
    const result = await runCli(['encode', '--model', QUESTION_MODEL(), '--input', '-', '--output', '-'], {
      input: readFileSync(input, 'utf8'),
    });
    assert.equal(result.code, 0, result.stderr);
    const got = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: unknown; vector: number[] });
    const expected = await libraryVectors(question, await DPRQuestionEncoderTokenizer.fromPretrained(QUESTION_MODEL()), rows, false);
    assert.equal(got.length, rows.length);
    got.forEach((g, i) => expectAllClose(g.vector, expected[i]!, { atol: 1e-5, label: `question ${i}` }));
  });

  test('malformed JSONL: one line naming the file and line number, exit 1, no output file', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id": 1, "text": "fine"}\n\n{"id": 2, "text": "broken"\n');
    const output = join(dir, 'never.jsonl');
    const result = await runCli(['encode', '--model', CONTEXT_MODEL(), '--input', bad, '--output', output]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^dpr encode: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: not valid JSON .*\\n$`));
    assert.throws(() => readFileSync(output), /ENOENT/);
  });

  test('a record without text names the field and the line', async () => {
    const result = await runCli(['encode', '--model', CONTEXT_MODEL(), '--input', '-', '--output', '-'], {
      input: '{"id": "a", "text": "x"}\n{"id": "b", "body": "y"}\n',
    });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'dpr encode: <stdin>:2: "text" must be a string, got nothing.\n');
  });

  test('empty input is an error', async () => {
    const result = await runCli(['encode', '--model', QUESTION_MODEL(), '--input', '-', '--output', '-'], { input: '\n' });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'dpr encode: <stdin> holds no records; expected one {"id", "text"} JSON object per line.\n');
  });
});
