/**
 * A repo with only pytorch_model.bin (the legacy pre-zip torch.save format, as the 2020
 * facebook/dpr-* uploads) is converted on load, beside — not inside — the HF snapshot.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetensorsFile } from '../../src/io/safetensors.js';
import { MODEL_FILES } from '../../src/io/model_files.js';
import { resolvePretrained, type ResolveOptions } from '../../src/hub/resolve.js';
import type { DownloadProgress } from '../../src/hub/options.js';
import { expectAllClose } from '../helpers/all_close.js';
import { startHubServer, type HubServer } from '../helpers/hub_server.js';
import { referencePath } from '../helpers/reference.js';

let server: HubServer;
before(async () => {
  server = await startHubServer();
});
const made: string[] = [];
function freshCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-dpr-hub-'));
  made.push(dir);
  return dir;
}
after(async () => {
  await server.close();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const LEGACY = 'test-org/legacy-only';

function opts(cacheDir: string, extra: Partial<ResolveOptions> = {}): ResolveOptions {
  return { files: MODEL_FILES, weights: true, cacheDir, endpoint: server.url, env: { HF_HOME: join(cacheDir, 'h') }, ...extra };
}

test('a repo with only pytorch_model.bin is downloaded, converted to model.safetensors, and reused', async () => {
  const cacheDir = freshCache();
  const events: DownloadProgress[] = [];
  const start = server.requests.length;
  const dir = await resolvePretrained(LEGACY, opts(cacheDir, { onProgress: (e) => events.push(e) }));
  const commit = server.commitOf(LEGACY);
  const root = join(cacheDir, 'models--test-org--legacy-only');
  assert.equal(dir, join(root, 'tfjs-dpr', commit));

  // The hub said there is no model.safetensors; the snapshot holds only what the repo has.
  assert.ok(existsSync(join(root, '.no_exist', commit, 'model.safetensors')));
  const snapshot = join(root, 'snapshots', commit);
  assert.deepEqual(readdirSync(snapshot).sort(), ['config.json', 'pytorch_model.bin']);
  for (const f of readdirSync(snapshot)) assert.ok(lstatSync(join(snapshot, f)).isSymbolicLink(), `${f} is a link to a blob`);
  assert.ok(
    readdirSync(join(root, 'tfjs-dpr')).every((d) => d === commit),
    'no temporary directory left',
  );

  // The converted weights hold the same tensors as HF's own model.safetensors of that model.
  const converted = SafetensorsFile.open(join(dir, 'model.safetensors'));
  const reference = SafetensorsFile.open(referencePath('models', 'question_encoder', 'model.safetensors'));
  try {
    const weights = reference.names.filter((n) => !n.endsWith('position_ids'));
    assert.ok(weights.length > 20);
    for (const name of weights) {
      assert.deepEqual(converted.info(name).shape, reference.info(name).shape, name);
      expectAllClose(converted.readFloat32(name), reference.readFloat32(name), { atol: 0, rtol: 0, label: name });
    }
  } finally {
    converted.close();
    reference.close();
  }
  assert.ok(existsSync(join(dir, 'config.json')));
  assert.deepEqual(
    events.filter((e) => e.phase === 'convert').map((e) => [e.file, e.done]),
    [
      ['pytorch_model.bin', false],
      ['pytorch_model.bin', true],
    ],
  );
  const requests = server.requests.slice(start);
  assert.ok(
    requests.some((r) => r.path.endsWith('/model.safetensors') && r.method === 'HEAD'),
    'asked for safetensors first',
  );

  // Second call, and offline: straight from the cache, no request, no reconversion.
  const before2 = server.requests.length;
  const again: DownloadProgress[] = [];
  assert.equal(await resolvePretrained(LEGACY, opts(cacheDir, { onProgress: (e) => again.push(e) })), dir);
  assert.equal(await resolvePretrained(LEGACY, opts(cacheDir, { localFilesOnly: true })), dir);
  assert.equal(server.requests.length, before2);
  assert.deepEqual(again, []);
});

test('offline with the .bin cached but the conversion gone: it is converted again without network', async () => {
  const cacheDir = freshCache();
  const dir = await resolvePretrained(LEGACY, opts(cacheDir));
  rmSync(dir, { recursive: true });
  const start = server.requests.length;
  assert.equal(await resolvePretrained(LEGACY, opts(cacheDir, { localFilesOnly: true })), dir);
  assert.ok(existsSync(join(dir, 'model.safetensors')));
  assert.equal(server.requests.length, start);
});
