/**
 * The CLI under hostile conditions (issue 15): each numbered problem of the issue as a spawned
 * `dpr` process with a deadline, so a hang fails the test instead of stalling it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, linkSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { describeFsError } from '../../src/cli/fs_errors.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { CONTEXT_MODEL, pairedQuestionEncoder, READER_MODEL, tempDir } from './fixtures.js';

const FAST = { timeoutMs: 60_000 };

function oneLine(stderr: string, command: string): string {
  const lines = stderr.split('\n');
  assert.equal(lines.length, 2, `expected one line on stderr, got:\n${stderr}`);
  assert.ok(lines[0]!.startsWith(`dpr ${command}: `), lines[0]);
  return lines[0]!.slice(`dpr ${command}: `.length);
}

describe('hostile use of the CLI', () => {
  const dir = tempDir('dpr-hostile-');
  const corpusLines = readFileSync(join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl'), 'utf8')
    .trim()
    .split('\n');
  const passages = join(dir, 'p.jsonl');
  writeFileSync(passages, corpusLines.slice(0, 30).join('\n') + '\n');
  const index = join(dir, 'index');
  let questionModel: string;

  before(async () => {
    questionModel = pairedQuestionEncoder(dir);
    const r = await runCli(['index', 'build', '--model', CONTEXT_MODEL(), '--passages', passages, '--out', index, '--workers', '1']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('1. encode to a folder that does not exist exits at once with the default 2 workers (no hang, nothing loaded)', async () => {
    const r = await runCli(
      ['encode', '--model', CONTEXT_MODEL(), '--input', passages, '--output', '/no/such/dir/x.jsonl', '--workers', '2'],
      FAST,
    );
    assert.equal(r.code, 1);
    assert.equal(
      oneLine(r.stderr, 'encode'),
      '--output /no/such/dir/x.jsonl: the folder /no/such/dir does not exist; create it or choose another path.',
    );
  });

  test('3. a NaN in the index vectors is refused, not printed as NaN/Infinity/null', async () => {
    const damaged = join(dir, 'nan-index');
    cpSync(index, damaged, { recursive: true });
    const embeddings = readFileSync(join(damaged, 'embeddings.f32'));
    // Every row's first value becomes NaN: whichever passages rank first, their score is NaN.
    for (let row = 0; row < 30; row++) embeddings.writeFloatLE(Number.NaN, row * 16 * 4);
    writeFileSync(join(damaged, 'embeddings.f32'), embeddings);
    for (const json of [[], ['--json']]) {
      const r = await runCli(['search', '--model', questionModel, '--index', damaged, ...json, 'capital of france'], FAST);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(r.stdout, '');
      assert.match(
        oneLine(r.stderr, 'search'),
        /^the score of row \d+ for query 0 is NaN, not a finite number: the index vectors or the query hold NaN or infinite values; rebuild the index, or check the model\.$/,
      );
    }
  });

  test('5. search | head -1: the reader going away ends the command quietly (exit 0, no stack trace)', async () => {
    const questions = Array.from({ length: 40 }, (_, i) => `question number ${i} about france`);
    const child = spawnCli(['search', '--model', questionModel, '--index', index, '-k', '5', ...questions]);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.end();
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    assert.ok(code === 0 || code === 141, `exit ${code}`);
    assert.equal(stderr, '');
  });

  test('6. encode never writes over its input: same path, a symlink, a hard link', async () => {
    const copy = join(dir, 'input.jsonl');
    writeFileSync(copy, corpusLines.slice(0, 3).join('\n') + '\n');
    symlinkSync(copy, join(dir, 'sym.jsonl'));
    linkSync(copy, join(dir, 'hard.jsonl'));
    for (const output of [copy, join(dir, 'sym.jsonl'), join(dir, 'hard.jsonl')]) {
      const r = await runCli(['encode', '--model', CONTEXT_MODEL(), '--input', copy, '--output', output], FAST);
      assert.equal(r.code, 1);
      assert.equal(
        oneLine(r.stderr, 'encode'),
        `--output ${output} is the input file (--input ${copy}); writing it would destroy the input. Choose another --output.`,
      );
    }
    assert.equal(readFileSync(copy, 'utf8'), corpusLines.slice(0, 3).join('\n') + '\n');
  });

  test('6. convert never writes into its source, --force or not', async () => {
    const source = join(dir, 'checkpoint');
    cpSync(CONTEXT_MODEL(), source, { recursive: true });
    const before = readFileSync(join(source, 'model.safetensors'));
    symlinkSync(source, join(dir, 'checkpoint-link'));
    for (const out of [source, join(dir, 'checkpoint-link')]) {
      const r = await runCli(['convert', source, out, '--force'], FAST);
      assert.equal(r.code, 1);
      assert.match(
        oneLine(r.stderr, 'convert'),
        /^OUT_DIR .* is the source directory SRC_DIR; converting would overwrite the checkpoint it reads\. Choose another OUT_DIR\.$/,
      );
    }
    assert.ok(readFileSync(join(source, 'model.safetensors')).equals(before));
  });

  test('8. --output DIR is refused before encoding; ENOSPC on stdout, EROFS and EEXIST name the path', async () => {
    const r = await runCli(['encode', '--model', CONTEXT_MODEL(), '--input', passages, '--output', dir], FAST);
    assert.equal(r.code, 1);
    assert.equal(oneLine(r.stderr, 'encode'), `--output ${dir} is a directory; give a file path, e.g. ${join(dir, 'vectors.jsonl')}.`);
    // stdout on a full disk: /dev/full answers every write with ENOSPC.
    const full = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(PROJECT_ROOT, 'src', 'cli', 'main.ts'),
        'encode',
        '--model',
        CONTEXT_MODEL(),
        '--input',
        passages,
        '--output',
        '-',
        '--workers',
        '1',
      ],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'],
      },
    );
    let stderr = '';
    full.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((res) => full.on('close', (c) => res(c)));
    assert.equal(code, 1);
    assert.equal(
      oneLine(stderr, 'encode'),
      'cannot write <stdout>: no space left on device (ENOSPC); free some space or choose another location.',
    );
    const erofs = Object.assign(new Error('EROFS: read-only file system, open'), {
      code: 'EROFS',
      syscall: 'open',
      path: '/mnt/ro/x.jsonl',
    });
    assert.equal(
      describeFsError(erofs),
      'cannot open /mnt/ro/x.jsonl: the file system is read-only (EROFS); choose a location on a writable file system.',
    );
    const eexist = Object.assign(new Error('EEXIST'), { code: 'EEXIST', syscall: 'mkdir', path: '/tmp/x' });
    assert.equal(describeFsError(eexist), 'cannot create directory /tmp/x: it already exists (EEXIST); remove it or choose another path.');
  });

  test('8. reversed passage offsets are a clear error, not "Invalid typed array length"', async () => {
    const damaged = join(dir, 'offsets-index');
    cpSync(index, damaged, { recursive: true });
    const offsets = readFileSync(join(damaged, 'passages.offsets'));
    for (let i = 0; i <= 30; i++) offsets.writeBigUInt64LE(BigInt(1000 - i), i * 8);
    writeFileSync(join(damaged, 'passages.offsets'), offsets);
    const r = await runCli(['search', '--model', questionModel, '--index', damaged, 'capital of france'], FAST);
    assert.equal(r.code, 1);
    assert.match(
      oneLine(r.stderr, 'search'),
      /is not a usable index: passages\.offsets is damaged at passage \d+ \(line \[\d+, \d+\) in a file of \d+ bytes\); rebuild the index\.$/,
    );
  });

  test('8. invalid UTF-8 names FILE:LINE; tokenize of an empty file exits 1 like the others', async () => {
    const latin1 = join(dir, 'latin1.jsonl');
    writeFileSync(
      latin1,
      Buffer.concat([Buffer.from('{"id": 1, "text": "fine"}\n{"id": 2, "text": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]),
    );
    for (const args of [
      ['tokenize', '--model', CONTEXT_MODEL(), '--input', latin1],
      ['encode', '--model', CONTEXT_MODEL(), '--input', latin1, '--output', '-', '--workers', '1'],
    ]) {
      const r = await runCli(args, FAST);
      assert.equal(r.code, 1);
      assert.equal(
        oneLine(r.stderr, args[0]!),
        `${latin1}:2: not valid UTF-8; save the file as UTF-8 (e.g. \`iconv -f LATIN1 -t UTF-8\`).`,
      );
    }
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const r = await runCli(['tokenize', '--model', CONTEXT_MODEL(), '--input', empty], FAST);
    assert.equal(r.code, 1);
    assert.equal(oneLine(r.stderr, 'tokenize'), `${empty} holds no records; expected one {"id", "text"} JSON object per line.`);
  });

  test('8. --workers 64 is lowered to the core count with a note; convert errors are one line, exit 1', async () => {
    const out = join(dir, 'v.jsonl');
    const r = await runCli(['encode', '--model', CONTEXT_MODEL(), '--input', passages, '--output', out, '--workers', '64'], {
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const cores = availableParallelism();
    assert.ok(
      r.stderr.startsWith(
        `dpr encode: note: --workers 64 is more than the ${cores} cores of this machine; using ${cores} (one model copy per worker).\n`,
      ),
      r.stderr,
    );
    for (const [args, message] of [
      [['convert', dir], 'expected SRC_DIR and OUT_DIR, got 1 argument(s). Run `dpr convert --help` for the usage.'],
      [['convert', dir, join(dir, 'o'), '--dtype', 'int8'], '--dtype must be one of float32, float16; got "int8".'],
      [['convert', dir, join(dir, 'o'), '--bogus'], 'unknown option --bogus. Run `dpr convert --help` for the options.'],
    ] as const) {
      const c = await runCli([...args], FAST);
      assert.equal(c.code, 1);
      assert.equal(oneLine(c.stderr, 'convert'), message);
    }
  });

  test('8. dpr --version, dpr help search, ask --context-model with --index', async () => {
    const version = await runCli(['--version'], FAST);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout, `dpr (tfjs-dpr) ${pkg.version}\n`);
    const help = await runCli(['help', 'search'], FAST);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: dpr search \(--model QUESTION_DIR .*--index INDEX_DIR/);
    const ask = await runCli(
      [
        'ask',
        '--index',
        index,
        '--question-model',
        questionModel,
        '--reader-model',
        READER_MODEL(),
        '--context-model',
        CONTEXT_MODEL(),
        'q?',
      ],
      FAST,
    );
    assert.equal(ask.code, 1);
    assert.equal(
      oneLine(ask.stderr, 'ask'),
      '--context-model embeds the bundled sample corpus and is not used with --index (an index holds vectors already); drop one of them.',
    );
  });
});
