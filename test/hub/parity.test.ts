/**
 * The public `fromPretrained` of every model and of the tokenizers, given hub ids, downloading
 * from the local stand-in hub: the downloaded models reproduce HuggingFace's reference outputs,
 * every element. The hub is reached only through the HF_* environment variables, as a user's
 * would be (this file runs in its own process, so setting them here touches no other test).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend, TFDPRQuestionEncoder, TFDPRReader } from '../../src/index.js';
import { DPRQuestionEncoderTokenizer } from '../../src/tokenizers/index.js';
import { checkModelParity } from '../models/parity_runner.js';
import { referenceModels } from '../helpers/model_cases.js';
import { startHubServer, type HubServer } from '../helpers/hub_server.js';
import { referencePath } from '../helpers/reference.js';

let server: HubServer;
let cacheDir: string;

before(async () => {
  server = await startHubServer();
  cacheDir = mkdtempSync(join(tmpdir(), 'tfjs-dpr-hub-'));
  for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH', 'HF_HUB_OFFLINE', 'HUGGINGFACE_HUB_CACHE'])
    delete process.env[name];
  process.env['HF_ENDPOINT'] = server.url;
  process.env['HF_HUB_CACHE'] = cacheDir;
  process.env['HF_HOME'] = join(cacheDir, 'hf-home');
  // Generous: this process also runs the models, on 2 cores shared with other test files.
  process.env['HF_HUB_ETAG_TIMEOUT'] = '60';
  process.env['HF_HUB_DOWNLOAD_TIMEOUT'] = '60';
  await setBackend('cpu');
});
after(async () => {
  await server.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

test('models downloaded by hub id match the HuggingFace reference outputs', async (t) => {
  const models = new Map(referenceModels().map((m) => [m.name, m]));
  const cases: Array<[string, string]> = [
    ['test-org/question_encoder', 'question_encoder'],
    ['test-org/context_encoder_proj', 'context_encoder_proj'],
    ['test-org/reader', 'reader'],
    // pytorch_model.bin only (legacy torch.save format), converted on load: same weights.
    ['test-org/legacy-only', 'question_encoder'],
  ];
  for (const [repoId, name] of cases) {
    const model = models.get(name);
    assert.ok(model !== undefined, `reference model ${name}`);
    await t.test(repoId, async (st) => {
      const start = server.requests.length;
      const worst = await checkModelParity(model, repoId, (line) => st.diagnostic(line));
      st.diagnostic(`${repoId}: worst |diff| ${worst.toExponential(2)}`);
      assert.ok(server.requests.length > start, 'it was downloaded from the hub');
    });
  }
  // Loaded again: entirely from the cache.
  const start = server.requests.length;
  (await TFDPRReader.fromPretrained('test-org/reader')).dispose();
  (await TFDPRQuestionEncoder.fromPretrained('test-org/legacy-only', { localFilesOnly: true })).dispose();
  assert.equal(server.requests.length, start);
});

test('a tokenizer loaded by hub id equals the one loaded from the reference directory', async () => {
  const fromHub = await DPRQuestionEncoderTokenizer.fromPretrained('test-org/question_encoder');
  const fromDir = await DPRQuestionEncoderTokenizer.fromPretrained(referencePath('models', 'question_encoder'));
  assert.equal(fromHub.vocab_size, 30522);
  const text = 'Who wrote "The Old Man and the Sea"? Hemingway, in 1951 — Ünïcödé 東京';
  assert.deepEqual(fromHub.tokenize(text), fromDir.tokenize(text));
  assert.deepEqual(fromHub.encodeText(text), fromDir.encodeText(text));
  // Hub options and tokenizer options are told apart: do_lower_case reaches the tokenizer.
  const cased = await DPRQuestionEncoderTokenizer.fromPretrained('test-org/question_encoder', {
    do_lower_case: false,
    localFilesOnly: true,
  });
  assert.notDeepEqual(cased.tokenize('Hemingway'), fromHub.tokenize('Hemingway'));
});
