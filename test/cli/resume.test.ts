/**
 * An index build killed part-way (SIGKILL, no chance to clean up) and resumed with --resume gives
 * a byte-identical index to an uninterrupted build; until it finishes, the directory is not an
 * index (no manifest.json) and search says so.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { CONTEXT_MODEL, QUESTION_MODEL, tempDir } from './fixtures.js';

const SHARD = 32;

function indexFiles(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f))]),
  );
}

describe('index build --resume', () => {
  const dir = tempDir();
  const corpusPath = join(PROJECT_ROOT, 'data', 'sample_corpus.jsonl');
  const corpusLines = readFileSync(corpusPath, 'utf8').trim().split('\n');

  for (const dtype of ['float32', 'float16'] as const) {
    test(`${dtype}: killed after some shards, resumed, byte-identical to an uninterrupted build`, async () => {
      const full = join(dir, `full-${dtype}`);
      const resumed = join(dir, `resumed-${dtype}`);
      const common = ['--model', CONTEXT_MODEL(), '--shard-size', String(SHARD), '--batch-size', '8', '--dtype', dtype];
      const r = await runCli(['index', 'build', ...common, '--passages', corpusPath, '--out', full]);
      assert.equal(r.code, 0, r.stderr);

      // The interrupted build reads stdin; it gets 100 passages (3 whole shards) and waits for
      // more, so it is killed mid-build at a known point, after its checkpoints.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), 'index', 'build', ...common, '--passages', '-', '--out', resumed],
        {
          cwd: PROJECT_ROOT,
          stdio: ['pipe', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
      child.stdin.write(corpusLines.slice(0, 100).join('\n') + '\n');
      const checkpoint = join(resumed, '.build', 'checkpoint.json');
      let done = 0;
      for (let waited = 0; waited < 60_000 && done < 3 * SHARD; waited += 100) {
        await sleep(100);
        if (existsSync(checkpoint)) done = (JSON.parse(readFileSync(checkpoint, 'utf8')) as { passages_done: number }).passages_done;
        assert.equal(child.exitCode, null, `the build exited early: ${stderr}`);
      }
      assert.equal(done, 3 * SHARD, 'the interrupted build did not reach its third checkpoint');
      child.kill('SIGKILL');
      await exited;

      assert.equal(existsSync(join(resumed, 'manifest.json')), false);
      const search = await runCli(['search', '--model', QUESTION_MODEL(), '--index', resumed, 'q']);
      assert.equal(search.code, 1);
      assert.match(search.stderr, /a build is in progress or was interrupted; finish it with `dpr index build --resume`/);

      const again = await runCli(['index', 'build', ...common, '--passages', corpusPath, '--out', resumed]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /holds an interrupted build .*; pass --resume to continue it/);

      const finish = await runCli(['index', 'build', ...common, '--passages', corpusPath, '--out', resumed, '--resume']);
      assert.equal(finish.code, 0, finish.stderr);
      assert.match(finish.stdout, new RegExp(`indexed ${corpusLines.length} passages \\(resumed after ${3 * SHARD}\\)`));

      const a = indexFiles(full);
      const b = indexFiles(resumed);
      assert.deepEqual([...b.keys()], [...a.keys()]);
      assert.deepEqual(
        [...a.keys()],
        ['embeddings.' + (dtype === 'float32' ? 'f32' : 'f16'), 'manifest.json', 'passages.jsonl', 'passages.offsets'],
      );
      for (const [name, bytes] of a)
        assert.ok(bytes.equals(b.get(name)!), `${name} differs between the interrupted and the uninterrupted build`);
    });
  }

  test('a finished index is not built over without --overwrite', async () => {
    const out = join(dir, 'resumed-float32');
    const r = await runCli(['index', 'build', '--model', CONTEXT_MODEL(), '--passages', corpusPath, '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already holds an index \(manifest\.json\); pass --overwrite to replace it/);
  });
});
