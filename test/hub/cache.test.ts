/**
 * The cache layout and environment handling, without a server.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RepoCache, repoFolderName, validateRepoId } from '../../src/hub/cache.js';
import { withBlobLock } from '../../src/hub/blob_lock.js';
import { normalizeEtag } from '../../src/hub/download.js';
import {
  envFlag,
  hfHome,
  hubCacheDir,
  hubDownloadTimeoutMs,
  hubEndpoint,
  hubEtagTimeoutMs,
  hubOffline,
  hubToken,
} from '../../src/hub/env.js';
import { InputError } from '../../src/errors.js';

const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

test('cache directory: $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub', () => {
  assert.equal(hubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' }), '/a');
  assert.equal(hubCacheDir({ HUGGINGFACE_HUB_CACHE: '/old' }), '/old');
  assert.equal(hubCacheDir({ HF_HOME: '/b' }), '/b/hub');
  assert.equal(hubCacheDir({ XDG_CACHE_HOME: '/x' }), '/x/huggingface/hub');
  assert.equal(hubCacheDir({}), join(homedir(), '.cache', 'huggingface', 'hub'));
  assert.equal(hubCacheDir({ HF_HOME: '~/hf' }), join(homedir(), 'hf', 'hub'));
  assert.equal(hubCacheDir({ HF_HUB_CACHE: '' }), join(homedir(), '.cache', 'huggingface', 'hub'), 'empty means unset');
  assert.equal(hfHome({ HF_HOME: '/b' }), '/b');
});

test('endpoint, offline flag and token from the environment, read as huggingface_hub does', () => {
  assert.equal(hubEndpoint({}), 'https://huggingface.co');
  assert.equal(hubEndpoint({ HF_ENDPOINT: 'https://hf-mirror.example/' }), 'https://hf-mirror.example');
  for (const v of ['1', 'true', 'YES', 'on']) assert.equal(hubOffline({ HF_HUB_OFFLINE: v }), true, v);
  for (const v of [undefined, '0', 'false', '']) assert.equal(hubOffline({ HF_HUB_OFFLINE: v }), false, String(v));
  assert.equal(envFlag(' 1 '), true);
  assert.equal(hubEtagTimeoutMs({}), 10_000);
  assert.equal(hubEtagTimeoutMs({ HF_HUB_ETAG_TIMEOUT: '2.5' }), 2500);
  assert.equal(hubDownloadTimeoutMs({ HF_HUB_DOWNLOAD_TIMEOUT: 'soon' }), 10_000, 'unparsable falls back');
  const home = tempDir('tfjs-dpr-hfhome-');
  assert.equal(hubToken({ HF_HOME: home }), undefined);
  writeFileSync(join(home, 'token'), 'hf_fromfile\n');
  assert.equal(hubToken({ HF_HOME: home }), 'hf_fromfile');
  assert.equal(hubToken({ HF_HOME: home, HF_TOKEN: 'hf_env' }), 'hf_env');
  writeFileSync(join(home, 'other'), 'hf_path');
  assert.equal(hubToken({ HF_HOME: home, HF_TOKEN_PATH: join(home, 'other') }), 'hf_path');
});

test('repo ids are validated like huggingface_hub validate_repo_id', () => {
  for (const ok of ['facebook/dpr-question_encoder-single-nq-base', 'bert-base-uncased', 'org/name.v2']) validateRepoId(ok);
  for (const bad of ['a/b/c', 'org/na me', 'org--x/y', 'org/../y', '', '/abs', 'org/', '-org/x', 'x'.repeat(97)]) {
    assert.throws(() => validateRepoId(bad), InputError, JSON.stringify(bad));
  }
  assert.equal(repoFolderName('facebook/dpr-reader-single-nq-base'), 'models--facebook--dpr-reader-single-nq-base');
  assert.equal(repoFolderName('bert-base-uncased'), 'models--bert-base-uncased');
});

test('ETags are normalised: quotes and weak prefix removed', () => {
  assert.equal(normalizeEtag('"abc"'), 'abc');
  assert.equal(normalizeEtag('W/"abc"'), 'abc');
  assert.equal(normalizeEtag(null), undefined);
  assert.equal(normalizeEtag('""'), undefined);
});

test('RepoCache: refs, relative snapshot links, .no_exist markers, nested files', () => {
  const cache = new RepoCache(tempDir('tfjs-dpr-cache-'), 'org/name');
  const commit = 'b'.repeat(40);
  assert.equal(cache.commitFor('main'), undefined);
  assert.equal(cache.commitFor(commit), commit, 'a commit sha names itself');
  cache.writeRef('main', commit);
  cache.writeRef(commit, commit); // no ref file for a commit
  cache.writeRef('refs/pr/1', commit);
  assert.equal(readFileSync(join(cache.root, 'refs', 'main'), 'utf8'), commit, 'no trailing newline, as Python writes it');
  assert.equal(cache.commitFor('refs/pr/1'), commit);
  assert.ok(!existsSync(join(cache.root, 'refs', commit)));

  mkdirSync(join(cache.root, 'blobs'), { recursive: true });
  writeFileSync(cache.blobPath('e1'), 'hello');
  assert.deepEqual(cache.lookup(commit, 'sub/dir/f.txt'), { state: 'unknown' });
  const pointer = cache.linkSnapshot(commit, 'sub/dir/f.txt', 'e1');
  assert.equal(readlinkSync(pointer), '../../../../blobs/e1');
  assert.equal(readFileSync(pointer, 'utf8'), 'hello');
  assert.deepEqual(cache.lookup(commit, 'sub/dir/f.txt'), { state: 'present', path: pointer });
  cache.linkSnapshot(commit, 'sub/dir/f.txt', 'e1'); // relinking over an existing link is fine
  assert.ok(lstatSync(pointer).isSymbolicLink());

  cache.markAbsent(commit, 'tokenizer.json');
  assert.deepEqual(cache.lookup(commit, 'tokenizer.json'), { state: 'absent' });
  // A link whose blob was deleted (e.g. by `huggingface-cli delete-cache`) is not a cached file.
  rmSync(cache.blobPath('e1'));
  assert.deepEqual(cache.lookup(commit, 'sub/dir/f.txt'), { state: 'unknown' });
});

test('blob lock: serialises holders in one process, takes over a stale lock, leaves no file', async () => {
  const dir = tempDir('tfjs-dpr-lock-');
  const lock = join(dir, 'x.lock');
  const order: string[] = [];
  let release!: () => void;
  const first = withBlobLock(lock, async () => {
    order.push('first in');
    await new Promise<void>((r) => (release = r));
    order.push('first out');
  });
  await new Promise((r) => setTimeout(r, 20));
  const second = withBlobLock(lock, async () => {
    order.push('second');
  });
  await new Promise((r) => setTimeout(r, 250));
  assert.deepEqual(order, ['first in'], 'the second waits while the first holds the lock');
  release();
  await Promise.all([first, second]);
  assert.deepEqual(order, ['first in', 'first out', 'second']);
  assert.ok(!existsSync(join(dir, 'x.tfjs-dpr.lock')));

  // A lock left by a process that died on this host is taken over at once…
  const ours = join(dir, 'x.tfjs-dpr.lock');
  writeFileSync(ours, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), id: 'dead' }));
  assert.equal(await withBlobLock(lock, async () => 'taken'), 'taken');
  // …and so is one nobody has touched for a long time, whoever wrote it.
  writeFileSync(ours, JSON.stringify({ pid: process.pid, host: 'elsewhere', id: 'old' }));
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(ours, old, old);
  assert.equal(await withBlobLock(lock, async () => 'taken again'), 'taken again');
  assert.ok(!existsSync(ours));
});
