/**
 * Downloads from a local stand-in for the hub (test/helpers/hub_server.ts): cache layout, cache
 * hits without requests, offline mode, resume after a dropped connection, corrupted bodies, and
 * the 404/401/403 answers.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  HubEntryNotFoundError,
  HubError,
  HubIntegrityError,
  HubNetworkError,
  HubNotFoundError,
  HubOfflineError,
  HubUnauthorizedError,
} from '../../src/hub/errors.js';
import { MODEL_FILES, TOKENIZER_FILES } from '../../src/io/model_files.js';
import { hubDownload, resolvePretrained, type ResolveOptions } from '../../src/hub/resolve.js';
import type { DownloadProgress } from '../../src/hub/options.js';
import { DPRError, InputError } from '../../src/errors.js';
import { startHubServer, type HubServer } from '../helpers/hub_server.js';
import { referencePath } from '../helpers/reference.js';

let server: HubServer;

before(async () => {
  server = await startHubServer(undefined, { renamed: { 'test-org/old-name': 'test-org/question_encoder' } });
});
after(async () => {
  await server.close();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  delete server.faults.cut;
  delete server.faults.corrupt;
  delete server.faults.stall;
  delete server.faults.dropEntryCommit;
});

const QE = 'test-org/question_encoder';
const FILES = { required: [...MODEL_FILES.required, ...TOKENIZER_FILES.required], optional: [...TOKENIZER_FILES.optional] };

const made: string[] = [];
function freshCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-dpr-hub-'));
  made.push(dir);
  return dir;
}

/** Options isolated from the machine: no real HF_HOME, token file or HF_* variables. */
function opts(cacheDir: string, extra: Partial<ResolveOptions> = {}): ResolveOptions {
  return {
    files: FILES,
    weights: true,
    cacheDir,
    endpoint: server.url,
    env: { HF_HOME: join(cacheDir, 'hf-home') },
    transfer: { retries: 2 },
    ...extra,
  };
}

function requestsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; requests: typeof server.requests }> {
  const start = server.requests.length;
  return fn().then((result) => ({ result, requests: server.requests.slice(start) }));
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function gitSha1(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Every file under `dir`, relative, for "nothing half-written" checks. */
function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

const repoRoot = (cacheDir: string, repoId = QE): string => join(cacheDir, `models--${repoId.replace('/', '--')}`);

test('downloads into an empty cache in HuggingFace layout: refs, blobs by etag, relative symlinks, .no_exist', async () => {
  const cacheDir = freshCache();
  const events: DownloadProgress[] = [];
  const { result: dir, requests } = await requestsDuring(() =>
    resolvePretrained(QE, opts(cacheDir, { onProgress: (e) => events.push(e) })),
  );
  const commit = server.commitOf(QE);
  const root = repoRoot(cacheDir);
  assert.equal(dir, join(root, 'snapshots', commit));
  assert.equal(readFileSync(join(root, 'refs', 'main'), 'utf8'), commit);

  const ref = referencePath('models', 'question_encoder');
  for (const file of ['config.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors']) {
    const expected = readFileSync(join(ref, file));
    const etag = file.endsWith('.safetensors') ? sha256(expected) : gitSha1(expected);
    const pointer = join(dir, file);
    assert.ok(lstatSync(pointer).isSymbolicLink(), `${file} is a symlink`);
    assert.equal(readlinkSync(pointer), `../../blobs/${etag}`, `${file} links to its blob by etag, relatively`);
    assert.deepEqual(readFileSync(pointer), expected, `${file} bytes`);
  }
  // The repo has no tokenizer.json / added_tokens.json: recorded so the next call need not ask.
  for (const absent of ['tokenizer.json', 'added_tokens.json']) {
    assert.ok(existsSync(join(root, '.no_exist', commit, absent)), `.no_exist marker for ${absent}`);
  }
  assert.ok(!existsSync(join(dir, 'pytorch_model.bin')), 'safetensors is preferred; the .bin is not fetched');
  assert.deepEqual(
    listFiles(join(root, 'blobs')).filter((f) => f.includes('.')),
    [],
    'no .incomplete left',
  );
  assert.deepEqual(listFiles(join(cacheDir, '.locks')), [], 'no lock left');

  // LFS file: the HEAD is redirected to the CDN, which is fetched directly.
  const weights = requests.filter((r) => r.path.startsWith('/cdn/'));
  assert.equal(weights.length, 1);
  assert.equal(weights[0]!.method, 'GET');
  // Every request after the first HEAD is pinned to the commit that HEAD returned.
  const resolves = requests.filter((r) => r.path.includes('/resolve/'));
  assert.equal(resolves[0]!.path, `/${QE}/resolve/main/config.json`);
  assert.ok(resolves.slice(1).every((r) => r.path.includes(`/resolve/${commit}/`)));

  const final = events.filter((e) => e.done && e.file === 'model.safetensors');
  assert.equal(final.length, 1);
  assert.equal(final[0]!.bytesDone, statSync(join(ref, 'model.safetensors')).size);
  assert.equal(final[0]!.bytesTotal, final[0]!.bytesDone);
  assert.ok(
    events.some((e) => e.file === 'model.safetensors' && !e.done && e.bytesDone < e.bytesTotal!),
    'intermediate progress',
  );
});

test('a second call is served from the cache without any request', async () => {
  const cacheDir = freshCache();
  const first = await resolvePretrained(QE, opts(cacheDir));
  const { result: second, requests } = await requestsDuring(() => resolvePretrained(QE, opts(cacheDir)));
  assert.equal(second, first);
  assert.deepEqual(requests, []);
  // Pinning the commit sha also resolves from the cache alone.
  const { result: byCommit, requests: none } = await requestsDuring(() =>
    resolvePretrained(QE, opts(cacheDir, { revision: server.commitOf(QE) })),
  );
  assert.equal(byCommit, first);
  assert.deepEqual(none, []);
});

test('a cache written by Python huggingface_hub is reused, and one we write reads back the same way', async () => {
  // Lay out a cache by hand exactly as hf_hub_download leaves it, with a commit the server does
  // not know: if it were not used, resolving would fail or fetch.
  const cacheDir = freshCache();
  const commit = 'a'.repeat(40);
  const root = join(cacheDir, 'models--facebook--dpr-question_encoder-single-nq-base');
  const ref = referencePath('models', 'question_encoder');
  const { mkdirSync, symlinkSync } = await import('node:fs');
  mkdirSync(join(root, 'blobs'), { recursive: true });
  mkdirSync(join(root, 'refs'), { recursive: true });
  mkdirSync(join(root, 'snapshots', commit), { recursive: true });
  writeFileSync(join(root, 'refs', 'main'), commit);
  for (const file of ['config.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors']) {
    const bytes = readFileSync(join(ref, file));
    const etag = file.endsWith('.safetensors') ? sha256(bytes) : gitSha1(bytes);
    writeFileSync(join(root, 'blobs', etag), bytes);
    symlinkSync(`../../blobs/${etag}`, join(root, 'snapshots', commit, file));
  }
  // transformers records the tokenizer files a repo lacks; offline we take unknown ones as absent.
  const { result: dir, requests } = await requestsDuring(() =>
    resolvePretrained('facebook/dpr-question_encoder-single-nq-base', opts(cacheDir, { localFilesOnly: true })),
  );
  assert.equal(dir, join(root, 'snapshots', commit));
  assert.deepEqual(requests, []);
});

test('offline (localFilesOnly or HF_HUB_OFFLINE=1) uses a filled cache and explains an empty one', async () => {
  const cacheDir = freshCache();
  const online = await resolvePretrained(QE, opts(cacheDir));
  for (const extra of [{ localFilesOnly: true }, { env: { HF_HOME: join(cacheDir, 'h'), HF_HUB_OFFLINE: '1' } }]) {
    const { result, requests } = await requestsDuring(() => resolvePretrained(QE, opts(cacheDir, extra)));
    assert.equal(result, online);
    assert.deepEqual(requests, []);
  }
  const empty = freshCache();
  const { requests } = await requestsDuring(async () => {
    await assert.rejects(resolvePretrained(QE, opts(empty, { localFilesOnly: true })), (e: unknown) => {
      assert.ok(e instanceof HubOfflineError && e instanceof HubError && e instanceof DPRError);
      assert.equal(e.kind, 'offline');
      assert.match(e.message, /`localFilesOnly` is set/);
      assert.match(e.message, /test-org\/question_encoder/);
      assert.match(e.message, /config\.json/);
      assert.match(e.message, /Run once with network access/);
      return true;
    });
    await assert.rejects(
      resolvePretrained(QE, opts(empty, { env: { HF_HOME: join(empty, 'h'), HF_HUB_OFFLINE: 'true' } })),
      (e: unknown) => e instanceof HubOfflineError && /HF_HUB_OFFLINE is set/.test(e.message),
    );
  });
  assert.deepEqual(requests, [], 'offline mode sends nothing');
  assert.deepEqual(listFiles(repoRoot(empty)), []);
});

test('no network: a clear error naming the endpoint and the offline options', async () => {
  // A port that was free a moment ago: connecting is refused.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const cacheDir = freshCache();
  await assert.rejects(resolvePretrained(QE, opts(cacheDir, { endpoint: `http://127.0.0.1:${port}` })), (e: unknown) => {
    assert.ok(e instanceof HubNetworkError);
    assert.equal(e.kind, 'network');
    assert.match(e.message, new RegExp(`could not reach http://127\\.0\\.0\\.1:${port}`));
    assert.match(e.message, /ECONNREFUSED/);
    assert.match(e.message, /localFilesOnly: true/);
    assert.match(e.message, /HF_HUB_OFFLINE=1/);
    return true;
  });
  assert.deepEqual(listFiles(join(cacheDir, 'models--test-org--question_encoder', 'snapshots')), []);
});

test('HF_ENDPOINT and HF_HUB_CACHE are honoured when no option overrides them', async () => {
  const cacheDir = freshCache();
  const { result: dir, requests } = await requestsDuring(() =>
    resolvePretrained(QE, {
      files: { required: ['config.json'] },
      env: { HF_ENDPOINT: `${server.url}/`, HF_HUB_CACHE: cacheDir, HF_HOME: join(cacheDir, 'h') },
    }),
  );
  assert.equal(dir, join(repoRoot(cacheDir), 'snapshots', server.commitOf(QE)));
  assert.equal(requests.length, 2); // HEAD + GET of config.json
});

test('a download cut part-way is resumed with Range and gives identical bytes', async () => {
  const cacheDir = freshCache();
  const cutAt = 1_000_000;
  server.faults.cut = { file: 'model.safetensors', bytes: cutAt, times: 1 };
  const { result: dir, requests } = await requestsDuring(() => resolvePretrained(QE, opts(cacheDir)));
  const cdn = requests.filter((r) => r.path.startsWith('/cdn/'));
  assert.equal(cdn.length, 2);
  assert.equal(cdn[0]!.range, undefined);
  // The resume starts where the kept bytes end: at most cutAt (bytes in flight when the socket
  // closed may be lost), and well past the start.
  const resumedAt = Number(/^bytes=(\d+)-$/.exec(cdn[1]!.range ?? '')?.[1]);
  assert.ok(resumedAt > cutAt / 2 && resumedAt <= cutAt, `resumed at ${cdn[1]!.range}`);
  assert.deepEqual(
    readFileSync(join(dir, 'model.safetensors')),
    readFileSync(referencePath('models', 'question_encoder', 'model.safetensors')),
  );
  assert.equal(server.faults.cut?.times, 0);
});

test('connections reset before any answer (HEAD or GET) are retried with backoff, as huggingface_hub does', async () => {
  const cacheDir = freshCache();
  // The first two requests get a TCP reset: the first HEAD and its first retry.
  server.faults.reset = { times: 2 };
  const dir = await resolvePretrained(QE, opts(cacheDir));
  assert.equal(server.faults.reset.times, 0);
  assert.deepEqual(readFileSync(join(dir, 'config.json')), readFileSync(referencePath('models', 'question_encoder', 'config.json')));
  // Resets beyond the bound fail with the cause named (the cache is empty, so nothing to fall back to).
  server.faults.reset = { times: 100 };
  await assert.rejects(
    resolvePretrained(QE, opts(freshCache())),
    (e: unknown) => e instanceof HubNetworkError && /could not reach .*ECONNRESET/.test(e.message),
  );
  server.faults.reset = { times: 0 };
});

test('a connection that keeps dropping fails clearly, keeps only the .incomplete, and the next call resumes', async () => {
  const cacheDir = freshCache();
  const cutAt = 1_500_000;
  server.faults.cut = { file: 'model.safetensors', bytes: cutAt, times: 100 };
  await assert.rejects(resolvePretrained(QE, opts(cacheDir, { transfer: { retries: 1 } })), (e: unknown) => {
    assert.ok(e instanceof HubNetworkError);
    assert.match(e.message, /downloading test-org\/question_encoder\/model\.safetensors failed after 2 attempts/);
    assert.match(e.message, /run again to resume/);
    return true;
  });
  const root = repoRoot(cacheDir);
  const commit = server.commitOf(QE);
  const weightsBlob = sha256(readFileSync(referencePath('models', 'question_encoder', 'model.safetensors')));
  assert.ok(!existsSync(join(root, 'snapshots', commit, 'model.safetensors')), 'no snapshot entry');
  assert.ok(!existsSync(join(root, 'blobs', weightsBlob)), 'no blob');
  // Two attempts, each cut after (at most) cutAt bytes, the second resuming where the first stopped.
  const kept = statSync(join(root, 'blobs', `${weightsBlob}.incomplete`)).size;
  assert.ok(kept > cutAt && kept <= 2 * cutAt, `kept ${kept} bytes`);
  assert.deepEqual(listFiles(join(cacheDir, '.locks')), [], 'lock released');

  delete server.faults.cut;
  const { result: dir, requests } = await requestsDuring(() => resolvePretrained(QE, opts(cacheDir)));
  assert.deepEqual(
    requests.filter((r) => r.path.startsWith('/cdn/')).map((r) => r.range),
    [`bytes=${kept}-`],
  );
  assert.deepEqual(
    readFileSync(join(dir, 'model.safetensors')),
    readFileSync(referencePath('models', 'question_encoder', 'model.safetensors')),
  );
  assert.ok(!existsSync(join(root, 'blobs', `${weightsBlob}.incomplete`)));
});

test('a server that stops sending mid-file is given up on after the idle timeout, then resumed', async () => {
  const cacheDir = freshCache();
  server.faults.stall = { file: 'model.safetensors', bytes: 500_000, times: 1 };
  await assert.rejects(
    resolvePretrained(QE, opts(cacheDir, { transfer: { retries: 0, idleTimeoutMs: 300 } })),
    (e: unknown) => e instanceof HubNetworkError && /failed after 1 attempts: no data for 0\.3 s/.test(e.message),
  );
  const { result: dir, requests } = await requestsDuring(() => resolvePretrained(QE, opts(cacheDir)));
  const range = requests.find((r) => r.path.startsWith('/cdn/'))?.range;
  assert.match(range ?? '', /^bytes=\d+-$/, 'resumed, not restarted');
  assert.deepEqual(
    readFileSync(join(dir, 'model.safetensors')),
    readFileSync(referencePath('models', 'question_encoder', 'model.safetensors')),
  );
});

test('a corrupted body is refused (sha256 for LFS files, git sha1 for small ones) and nothing is cached', async () => {
  for (const file of ['model.safetensors', 'vocab.txt']) {
    const cacheDir = freshCache();
    server.faults.corrupt = { file, times: 1 };
    await assert.rejects(resolvePretrained(QE, opts(cacheDir)), (e: unknown) => {
      assert.ok(e instanceof HubIntegrityError, String(e));
      assert.equal(e.kind, 'integrity');
      assert.match(e.message, new RegExp(`download of test-org/question_encoder/${file.replace('.', '\\.')} is corrupt`));
      assert.match(
        e.message,
        file === 'vocab.txt' ? /git blob sha1 is [0-9a-f]{40}, the hub announced/ : /sha256 is [0-9a-f]{64}, the hub announced/,
      );
      assert.match(e.message, /nothing was cached/);
      return true;
    });
    const root = repoRoot(cacheDir);
    const bytes = readFileSync(referencePath('models', 'question_encoder', file));
    const etag = file === 'vocab.txt' ? gitSha1(bytes) : sha256(bytes);
    assert.ok(!existsSync(join(root, 'blobs', etag)));
    assert.ok(!existsSync(join(root, 'blobs', `${etag}.incomplete`)), 'the corrupt partial is deleted, not resumed');
    assert.ok(!existsSync(join(root, 'snapshots', server.commitOf(QE), file)));
    // Once the server sends the right bytes, the same cache completes.
    const dir = await resolvePretrained(QE, opts(cacheDir));
    assert.deepEqual(readFileSync(join(dir, file)), bytes);
  }
});

test('404: unknown repo, unknown revision, missing required file', async () => {
  const cacheDir = freshCache();
  await assert.rejects(resolvePretrained('test-org/no-such-model', opts(cacheDir)), (e: unknown) => {
    assert.ok(e instanceof HubNotFoundError);
    assert.equal(e.kind, 'not-found');
    assert.equal(e.status, 404);
    assert.match(
      e.message,
      /test-org\/no-such-model\/config\.json was not found on http:\/\/127\.0\.0\.1:\d+ \(HTTP 404\): check the repo id/,
    );
    return true;
  });
  await assert.rejects(
    resolvePretrained(QE, opts(cacheDir, { revision: 'v9' })),
    (e: unknown) => e instanceof HubNotFoundError && /revision "v9" does not exist in test-org\/question_encoder/.test(e.message),
  );
  await assert.rejects(resolvePretrained(QE, opts(cacheDir, { files: { required: ['merges.txt'] } })), (e: unknown) => {
    assert.ok(e instanceof HubNotFoundError);
    assert.match(e.message, /merges\.txt does not exist in test-org\/question_encoder at revision "main"/);
    return true;
  });
  // The absence is recorded as huggingface_hub does.
  assert.ok(existsSync(join(repoRoot(cacheDir), '.no_exist', server.commitOf(QE), 'merges.txt')));
  assert.ok(!existsSync(repoRoot(cacheDir, 'test-org/no-such-model') + '/snapshots'));
});

test('a 404 EntryNotFound without X-Repo-Commit (a mirror dropped it): optional files are absent, required ones fail', async () => {
  server.faults.dropEntryCommit = true;
  const cacheDir = freshCache();
  const dir = await resolvePretrained(QE, opts(cacheDir));
  const commit = server.commitOf(QE);
  assert.equal(dir, join(repoRoot(cacheDir), 'snapshots', commit));
  // Asked at the commit config.json pinned, so the absence is known for that commit.
  for (const absent of ['tokenizer.json', 'added_tokens.json']) {
    assert.ok(existsSync(join(repoRoot(cacheDir), '.no_exist', commit, absent)), `.no_exist marker for ${absent}`);
  }
  const again = await requestsDuring(() => resolvePretrained(QE, opts(cacheDir)));
  assert.deepEqual(again.requests, [], 'the second call is served from the cache');
  await assert.rejects(
    resolvePretrained(QE, opts(freshCache(), { files: { required: ['config.json', 'merges.txt'] } })),
    (e: unknown) =>
      e instanceof HubEntryNotFoundError &&
      e.entryCommit === undefined &&
      /merges\.txt does not exist in test-org\/question_encoder/.test(e.message),
  );
});

test('401/403: private and gated repos say a token is needed and how to give it; the token is used but not sent to the CDN', async () => {
  const cacheDir = freshCache();
  await assert.rejects(resolvePretrained('test-org/private', opts(cacheDir)), (e: unknown) => {
    assert.ok(e instanceof HubUnauthorizedError);
    assert.equal(e.kind, 'unauthorized');
    assert.equal(e.status, 401);
    assert.match(e.message, /test-org\/private needs a token \(HTTP 401\)/);
    assert.match(e.message, /pass `token` to fromPretrained, or set HF_TOKEN/);
    return true;
  });
  await assert.rejects(
    resolvePretrained('test-org/private', opts(cacheDir, { token: 'hf_wrong' })),
    (e: unknown) => e instanceof HubUnauthorizedError && e.status === 403 && /refused the token/.test(e.message),
  );
  await assert.rejects(
    resolvePretrained('test-org/gated', opts(cacheDir)),
    (e: unknown) =>
      e instanceof HubUnauthorizedError &&
      /gated repo \(HTTP 401\): accept its conditions at http:\/\/127\.0\.0\.1:\d+\/test-org\/gated/.test(e.message),
  );

  const { result: dir, requests } = await requestsDuring(() =>
    resolvePretrained('test-org/private', opts(cacheDir, { token: 'hf_secret' })),
  );
  assert.ok(existsSync(join(dir, 'model.safetensors')));
  assert.ok(requests.filter((r) => r.path.includes('/resolve/')).every((r) => r.authorization === 'Bearer hf_secret'));
  assert.ok(requests.filter((r) => r.path.startsWith('/cdn/')).every((r) => r.authorization === undefined));

  // HF_TOKEN, and the token file `huggingface-cli login` writes, are picked up too.
  const viaEnv = freshCache();
  await resolvePretrained('test-org/private', opts(viaEnv, { env: { HF_HOME: join(viaEnv, 'h'), HF_TOKEN: 'hf_secret' } }));
  const viaFile = freshCache();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(viaFile, 'h'));
  writeFileSync(join(viaFile, 'h', 'token'), 'hf_secret\n');
  await resolvePretrained('test-org/private', opts(viaFile, { env: { HF_HOME: join(viaFile, 'h') } }));
  // token: false sends none even when HF_TOKEN is set.
  await assert.rejects(
    resolvePretrained(
      'test-org/private',
      opts(freshCache(), { token: false, env: { HF_TOKEN: 'hf_secret', HF_HOME: join(viaFile, 'x') } }),
    ),
    HubUnauthorizedError,
  );
});

test('a renamed repo (relative redirect without X-Repo-Commit) is followed', async () => {
  const cacheDir = freshCache();
  const dir = await resolvePretrained('test-org/old-name', opts(cacheDir));
  assert.deepEqual(readFileSync(join(dir, 'config.json')), readFileSync(referencePath('models', 'question_encoder', 'config.json')));
  assert.ok(dir.startsWith(repoRoot(cacheDir, 'test-org/old-name')), 'cached under the name asked for, as huggingface_hub does');
});

test('concurrent downloads of the same repo into one cache fetch each blob once and both succeed', async () => {
  const cacheDir = freshCache();
  const { result, requests } = await requestsDuring(() =>
    Promise.all([resolvePretrained(QE, opts(cacheDir)), resolvePretrained(QE, opts(cacheDir)), resolvePretrained(QE, opts(cacheDir))]),
  );
  assert.equal(new Set(result).size, 1);
  assert.equal(requests.filter((r) => r.path.startsWith('/cdn/')).length, 1, 'the weights were downloaded once');
  assert.deepEqual(
    readFileSync(join(result[0], 'model.safetensors')),
    readFileSync(referencePath('models', 'question_encoder', 'model.safetensors')),
  );
  assert.deepEqual(listFiles(join(cacheDir, '.locks')), []);
});

test('an existing directory is returned unchanged; a missing path or a malformed id is an InputError', async () => {
  const dir = referencePath('models', 'question_encoder');
  const { result, requests } = await requestsDuring(() => resolvePretrained(dir, opts(freshCache())));
  assert.equal(result, dir);
  assert.deepEqual(requests, []);
  await assert.rejects(
    resolvePretrained('./no/such/dir', opts(freshCache())),
    (e: unknown) => e instanceof InputError && /no directory at \.\/no\/such\/dir/.test(e.message),
  );
  await assert.rejects(
    resolvePretrained('org/na me', opts(freshCache())),
    (e: unknown) => e instanceof InputError && /neither an existing directory nor a valid hub repo id/.test(e.message),
  );
  await assert.rejects(resolvePretrained(QE, opts(freshCache(), { revision: '../x' })), InputError);
  await assert.rejects(resolvePretrained(QE, opts(freshCache(), { files: { required: ['../etc/passwd'] } })), InputError);
});

test('hubDownload fetches one file like hf_hub_download', async () => {
  const cacheDir = freshCache();
  const path = await hubDownload(QE, 'vocab.txt', { cacheDir, endpoint: server.url, env: { HF_HOME: join(cacheDir, 'h') } });
  assert.equal(path, join(repoRoot(cacheDir), 'snapshots', server.commitOf(QE), 'vocab.txt'));
  assert.deepEqual(readFileSync(path), readFileSync(referencePath('vocab', 'bert-base-uncased-vocab.txt')));
});

test('two processes downloading the same file into one cache both get intact bytes', async () => {
  const { spawn } = await import('node:child_process');
  const { PROJECT_ROOT } = await import('../helpers/reference.js');
  const cacheDir = freshCache();
  const script =
    `import { hubDownload } from ${JSON.stringify(join(PROJECT_ROOT, 'src', 'hub', 'resolve.ts'))};` +
    `const p = await hubDownload(${JSON.stringify(QE)}, 'model.safetensors', { cacheDir: process.argv[1], endpoint: process.argv[2], token: false });` +
    `process.stdout.write(p);`;
  const run = (): Promise<{ code: number | null; out: string; err: string }> =>
    new Promise((resolveRun, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, cacheDir, server.url], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, HF_HOME: join(cacheDir, 'h') },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('error', reject);
      child.on('close', (code) => resolveRun({ code, out, err }));
    });
  const results = await Promise.all([run(), run()]);
  const expected = readFileSync(referencePath('models', 'question_encoder', 'model.safetensors'));
  for (const r of results) {
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readFileSync(r.out), expected);
  }
  assert.deepEqual(listFiles(join(repoRoot(cacheDir), 'blobs')).length, 1, 'one blob, no .incomplete');
  assert.deepEqual(listFiles(join(cacheDir, '.locks')), []);
});
