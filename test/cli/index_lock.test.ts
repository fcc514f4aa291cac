/**
 * One writer per index: a second build is refused with "locked by pid N" (never told to
 * --resume into a directory another process is writing), a stale lock (dead pid) is taken over,
 * an --overwrite rebuild keeps the old index searchable until the new one is swapped in, and
 * Ctrl-C says how to continue.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, spawnCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { CONTEXT_MODEL, pairedQuestionEncoder, tempDir } from './fixtures.js';

const SHARD = 25;
const COMMON = ['--shard-size', String(SHARD), '--batch-size', '8', '--workers', '1'];

describe('index build lock and overwrite', () => {
  const dir = tempDir('dpr-lock-');
  const corpusPath = join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl');
  const corpusLines = readFileSync(corpusPath, 'utf8').trim().split('\n');
  const small = join(dir, 'small.jsonl');
  writeFileSync(small, corpusLines.slice(0, 40).join('\n') + '\n');

  test('a live lock refuses a second writer naming its pid; a stale one (dead pid) is taken over', { timeout: 300_000 }, async () => {
    const out = join(dir, 'locked');
    const lock = join(dir, '.locked.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const refused = await runCli(['index', 'build', '--model', CONTEXT_MODEL(), '--passages', small, '--out', out, ...COMMON, '--resume'], {
      timeoutMs: 60_000,
    });
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `dpr index: ${out} is locked by pid ${process.pid} on ${hostname()} (an index build started 2026-01-01T00:00:00.000Z); wait for it to finish, or stop it.\n`,
    );
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lock, JSON.stringify({ pid: dead, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const taken = await runCli(['index', 'build', '--model', CONTEXT_MODEL(), '--passages', small, '--out', out, ...COMMON], {
      timeoutMs: 120_000,
    });
    assert.equal(taken.code, 0, taken.stderr);
    assert.match(taken.stdout, /^indexed 40 passages/);
    assert.equal(existsSync(lock), false, 'the lock is removed when the build ends');
  });

  test(
    '--overwrite keeps the old index searchable during the rebuild; a concurrent writer is refused; Ctrl-C says --resume continues',
    { timeout: 600_000 },
    async () => {
      const out = join(dir, 'index');
      const questionModel = pairedQuestionEncoder(dir);
      const first = await runCli(['index', 'build', '--model', CONTEXT_MODEL(), '--passages', small, '--out', out, ...COMMON]);
      assert.equal(first.code, 0, first.stderr);
      const search = () =>
        runCli(['search', '--model', questionModel, '--index', out, '--json', '-k', '3', 'what is the capital of france?'], {
          timeoutMs: 60_000,
        });
      const before = await search();
      assert.equal(before.code, 0, before.stderr);

      // The rebuild reads stdin: it gets 60 passages, checkpoints twice, and waits for more.
      const args = ['index', 'build', '--model', CONTEXT_MODEL(), '--passages', '-', '--out', out, ...COMMON, '--overwrite'];
      const child = spawnCli(args);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
      child.stdin.write(corpusLines.slice(0, 60).join('\n') + '\n');
      const checkpoint = join(dir, '.index.rebuild', '.build', 'checkpoint.json');
      for (let waited = 0; waited < 90_000 && !existsSync(checkpoint); waited += 100) {
        await sleep(100);
        assert.equal(child.exitCode, null, `the rebuild exited early: ${stderr}`);
      }
      assert.ok(existsSync(checkpoint), 'the rebuild did not checkpoint');

      const during = await search();
      assert.equal(during.code, 0, during.stderr);
      assert.equal(during.stdout, before.stdout, 'the old index answers while the rebuild runs');
      const second = await runCli(
        ['index', 'build', '--model', CONTEXT_MODEL(), '--passages', corpusPath, '--out', out, ...COMMON, '--overwrite', '--resume'],
        { timeoutMs: 60_000 },
      );
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`^dpr index: ${out} is locked by pid ${child.pid} on `));

      child.kill('SIGINT');
      assert.equal(await exited, 130);
      assert.match(
        stderr,
        /interrupted \(SIGINT\); the passages done so far are kept: run the same command with --resume to continue the build in /,
      );
      assert.equal(existsSync(join(dir, '.index.lock')), false, 'Ctrl-C releases the lock');
      assert.equal((await search()).stdout, before.stdout, 'the old index still answers after the interrupted rebuild');

      const finish = await runCli([
        'index',
        'build',
        '--model',
        CONTEXT_MODEL(),
        '--passages',
        corpusPath,
        '--out',
        out,
        ...COMMON,
        '--overwrite',
        '--resume',
      ]);
      assert.equal(finish.code, 0, finish.stderr);
      assert.match(finish.stdout, new RegExp(`^indexed ${corpusLines.length} passages \\(resumed after ${2 * SHARD}\\)`));
      assert.equal((JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { count: number }).count, corpusLines.length);
      assert.equal(existsSync(join(dir, '.index.rebuild')), false, 'the rebuild directory is gone after the swap');
      const after = await search();
      assert.equal(after.code, 0, after.stderr);
    },
  );
});
