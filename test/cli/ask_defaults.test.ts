/**
 * `dpr ask "…"` with no model arguments: the facebook/dpr-*-single-nq-base ids come from the hub
 * (here a stand-in on 127.0.0.1 serving small reference models under those names), and the
 * bundled sample corpus is indexed on first use and cached; the second call needs no request
 * and no rebuild.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONTEXT_ENCODER, DEFAULT_QUESTION_ENCODER, DEFAULT_READER } from '../../src/hub/defaults.js';
import { runCli } from '../helpers/cli.js';
import { REPO_FILES, startHubServer } from '../helpers/hub_server.js';
import { CONTEXT_MODEL, READER_MODEL, pairedQuestionEncoder, tempDir } from './fixtures.js';

test('dpr ask with defaults downloads the models, indexes the sample corpus once, then answers from the cache', async () => {
  const root = tempDir('dpr-ask-defaults-');
  const withoutBin = REPO_FILES.filter((f) => f !== 'pytorch_model.bin');
  const server = await startHubServer({
    [DEFAULT_QUESTION_ENCODER]: {
      dir: pairedQuestionEncoder(root),
      files: ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'],
    },
    [DEFAULT_CONTEXT_ENCODER]: { dir: CONTEXT_MODEL(), files: withoutBin },
    [DEFAULT_READER]: { dir: READER_MODEL(), files: withoutBin },
  });
  const env = { HF_ENDPOINT: server.url, HF_HUB_CACHE: join(root, 'hub'), DPR_CACHE_DIR: join(root, 'dpr'), HF_TOKEN: '' };
  try {
    const first = await runCli(['ask', '--json', '--workers', '1', 'What is the capital of France?'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /embedding the bundled sample corpus with facebook\/dpr-ctx_encoder-single-nq-base \(first use/);
    const answer = JSON.parse(first.stdout.trim()) as { question: string; answers: Array<{ text: string; passage: { id: string } }> };
    assert.equal(answer.question, 'What is the capital of France?');
    assert.ok(answer.answers.length > 0, 'the reader returned answers');
    const indexes = readdirSync(join(root, 'dpr', 'indexes'));
    assert.equal(indexes.length, 1);
    assert.ok(existsSync(join(root, 'dpr', 'indexes', indexes[0]!, 'manifest.json')));
    const requestsAfterFirst = server.requests.length;
    assert.ok(requestsAfterFirst > 0);

    const second = await runCli(['ask', '--json', 'What is the capital of France?'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /embedding the bundled sample corpus/);
    assert.equal(server.requests.length, requestsAfterFirst, 'the second call was served from the caches');
    assert.deepEqual(JSON.parse(second.stdout.trim()), answer);
  } finally {
    await server.close();
  }
});
