/**
 * `dpr tokenize` as a user runs it: a separate process, JSONL in, JSONL out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { referencePath } from '../helpers/reference.js';
import { readCases } from './helpers.js';

const MODEL = referencePath('models', 'question_encoder');

test('dpr tokenize reproduces the reference ids, tokens and UTF-16 offsets, from a file and from stdin', async () => {
  const cases = readCases<{ text: string; input_ids: number[]; tokens: string[]; offsets: Array<[number, number]> }>(
    'fast_tokenizer_cases.json',
  );
  const input = cases.map((c, i) => JSON.stringify({ id: `case-${i}`, text: c.text })).join('\n') + '\n';
  const dir = mkdtempSync(join(tmpdir(), 'dpr-cli-'));
  const file = join(dir, 'in.jsonl');
  writeFileSync(file, input);
  for (const args of [
    ['--input', file],
    ['--input', '-'],
  ]) {
    const r = await runCli(['tokenize', '--model', MODEL, ...args], { input });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, cases.length);
    lines.forEach((out, i) => {
      const c = cases[i]!;
      assert.deepEqual(Object.keys(out), ['id', 'input_ids', 'token_type_ids', 'tokens', 'offsets']);
      assert.equal(out.id, `case-${i}`);
      assert.deepEqual(out.input_ids, c.input_ids);
      assert.deepEqual(out.tokens, c.tokens);
      assert.deepEqual(out.token_type_ids, new Array(c.input_ids.length).fill(0));
      for (const [k, [s, e]] of (out.offsets as Array<[number, number]>).entries()) {
        if (s === e) continue;
        // Offsets are UTF-16: slicing the JS string gives the token's source text.
        assert.ok(c.text.slice(s, e).length > 0, `token ${out.tokens[k]}`);
      }
    });
  }
});

test('dpr tokenize: pairs get token types, long texts are truncated to model_max_length', async () => {
  const input = [
    JSON.stringify({ id: 1, text: 'who?', text_pair: 'Röntgen' }),
    '',
    JSON.stringify({ id: 2, text: 'word '.repeat(700) }),
  ].join('\n');
  const r = await runCli(['tokenize', '--model', MODEL, '--input', '-'], { input });
  assert.equal(r.code, 0, r.stderr);
  const [pair, long] = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(pair.tokens, ['[CLS]', 'who', '?', '[SEP]', 'ron', '##t', '##gen', '[SEP]']);
  assert.deepEqual(pair.token_type_ids, [0, 0, 0, 0, 1, 1, 1, 1]);
  assert.deepEqual(pair.offsets, [
    [0, 0],
    [0, 3],
    [3, 4],
    [0, 0],
    [0, 3],
    [3, 4],
    [4, 7],
    [0, 0],
  ]);
  assert.equal(long.input_ids.length, 512);
});

test('dpr tokenize: malformed JSONL names the line; missing options and files are one-line errors', async () => {
  const bad = await runCli(['tokenize', '--model', MODEL, '--input', '-'], { input: '{"id":1,"text":"ok"}\n\n{"id":2,"text":\n' });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^dpr tokenize: <stdin>:3: not valid JSON/);
  assert.equal(bad.stdout.trimEnd().split('\n').length, 1, 'lines before the bad one were written');
  const noText = await runCli(['tokenize', '--model', MODEL, '--input', '-'], { input: '{"id":1}\n' });
  assert.match(noText.stderr, /<stdin>:1: "text" must be a string, got nothing/);
  const noModel = await runCli(['tokenize', '--input', '-']);
  assert.equal(noModel.code, 1);
  assert.match(noModel.stderr, /--model is required\. Run `dpr tokenize --help`/);
  const noFile = await runCli(['tokenize', '--model', MODEL, '--input', '/nonexistent.jsonl']);
  assert.match(noFile.stderr, /\/nonexistent\.jsonl does not exist; check the path of the JSONL file/);
  assert.equal(noFile.stderr.trimEnd().split('\n').length, 1);
});
