import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { verifyIndex } from '../../src/retrieval/index_verify.js';
import { LocalIndex } from '../../src/retrieval/local_index.js';
import { referencePath } from '../helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-import-kill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts an import, kills it with SIGKILL after `ms`; resolves whether it had finished. */
function importKilledAfter(out: string, ms: number): Promise<boolean> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'import_child.ts'),
      out,
      referencePath('index', 'psgs.tsv'),
      referencePath('index', 'emb_shard_0.pkl'),
      referencePath('index', 'emb_shard_1.pkl'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise((resolve) =>
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(output.includes('done'));
    }),
  );
}

test(
  'an import killed with SIGKILL at any point leaves nothing a search accepts (or a complete, verified index)',
  { timeout: 120_000 },
  async () => {
    let killedPartWay = 0;
    for (const ms of [300, 900, 1500, 2500, 4000]) {
      const out = join(dir, `kill-${ms}`);
      const finished = await importKilledAfter(out, ms);
      if (finished) {
        assert.equal((await verifyIndex(out)).ok, true, `${ms} ms: a finished import verifies`);
        continue;
      }
      killedPartWay++;
      await assert.rejects(LocalIndex.open(out), (e: unknown) => {
        assert.ok(e instanceof InputError, `${ms} ms: ${String(e)}`);
        assert.match(e.message, existsSync(out) ? /not a usable index|does not exist/ : /does not exist/);
        return true;
      });
    }
    assert.ok(killedPartWay > 0, 'at least one import was killed part-way');
  },
);
