/**
 * Every error reaches the user as one line `dpr <cmd>: <message>` on stderr with exit code 1
 * (2 for usage of the dispatcher itself), saying what is wrong and how to fix it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { CONTEXT_MODEL, QUESTION_MODEL, READER_MODEL, tempDir } from './fixtures.js';

function oneLine(stderr: string, command: string): string {
  const lines = stderr.split('\n');
  assert.equal(lines.length, 2, `expected one line on stderr, got:\n${stderr}`);
  assert.equal(lines[1], '');
  assert.ok(lines[0]!.startsWith(`dpr ${command}: `), lines[0]);
  return lines[0]!.slice(`dpr ${command}: `.length);
}

describe('CLI errors', () => {
  const dir = tempDir();

  test('search on a directory that is not an index says how to build one', async () => {
    const r = await runCli(['search', '--model', QUESTION_MODEL(), '--index', dir, 'q']);
    assert.equal(r.code, 1);
    assert.match(
      oneLine(r.stderr, 'search'),
      /is not a usable index: it has no manifest\.json; build an index with `dpr index build --out /,
    );
  });

  test('index build with a question encoder names the kind needed', async () => {
    const passages = join(dir, 'p.jsonl');
    writeFileSync(passages, '{"id": 1, "text": "a passage"}\n');
    const r = await runCli(['index', 'build', '--model', QUESTION_MODEL(), '--passages', passages, '--out', join(dir, 'idx')]);
    assert.equal(r.code, 1);
    assert.equal(
      oneLine(r.stderr, 'index'),
      `--model ${QUESTION_MODEL()} is a question encoder (DPRQuestionEncoder); --model must be a context encoder (DPRContextEncoder).`,
    );
  });

  test('read with an encoder names the kind needed', async () => {
    const passages = join(dir, 'r.jsonl');
    writeFileSync(passages, '{"id": 1, "title": "t", "text": "a passage"}\n');
    const r = await runCli(['read', '--model', CONTEXT_MODEL(), '--question', 'q?', '--passages', passages]);
    assert.equal(r.code, 1);
    assert.equal(
      oneLine(r.stderr, 'read'),
      `--model ${CONTEXT_MODEL()} is a context encoder (DPRContextEncoder); --model must be a reader (DPRReader).`,
    );
  });

  test('a model directory without weights, and a missing one', async () => {
    const empty = join(dir, 'no_weights');
    mkdirSync(empty);
    writeFileSync(join(empty, 'config.json'), '{"architectures": ["DPRReader"]}');
    writeFileSync(join(empty, 'vocab.txt'), '[PAD]\n');
    const passages = join(dir, 'r.jsonl');
    const r = await runCli(['read', '--model', empty, '--question', 'q?', '--passages', passages]);
    assert.equal(r.code, 1);
    assert.match(
      oneLine(r.stderr, 'read'),
      /has no weights; a DPR model directory needs model\.safetensors or pytorch_model\.bin beside config\.json/,
    );
    const missing = await runCli(['encode', '--model', join(dir, 'nope'), '--input', passages, '--output', '-']);
    assert.equal(missing.code, 1);
    assert.match(oneLine(missing.stderr, 'encode'), /--model .*nope: no such directory; give a directory holding config\.json/);
  });

  test('unknown options, missing required options and bad values are usage errors naming the fix', async () => {
    const unknown = await runCli(['search', '--modle', QUESTION_MODEL()]);
    assert.equal(unknown.code, 1);
    assert.equal(oneLine(unknown.stderr, 'search'), 'unknown option --modle. Run `dpr search --help` for the options.');
    const missing = await runCli(['read', '--model', READER_MODEL(), '--question', 'q']);
    assert.equal(oneLine(missing.stderr, 'read'), '--passages is required. Run `dpr read --help` for the options.');
    const badK = await runCli(['search', '--model', QUESTION_MODEL(), '--index', dir, '-k', 'ten', 'q']);
    assert.equal(oneLine(badK.stderr, 'search'), '--k needs a whole number; got "ten". Run `dpr search --help` for the options.');
  });

  test('--help prints the options of each command and exits 0', async () => {
    for (const args of [
      ['search', '--help'],
      ['index', 'build', '--help'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: dpr ${args.slice(0, -1).join(' ')} `));
      assert.match(r.stdout, /--model DIR/);
      assert.equal(r.stderr, '');
    }
  });
});
