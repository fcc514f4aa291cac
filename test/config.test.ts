import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DPR_CONFIG_DEFAULTS, loadConfig, makeConfig } from '../src/index.js';
import { architectureOf } from '../src/config.js';

test('makeConfig fills HF DPRConfig defaults', () => {
  const c = makeConfig({});
  assert.deepEqual(
    [
      c.vocab_size,
      c.hidden_size,
      c.num_hidden_layers,
      c.num_attention_heads,
      c.intermediate_size,
      c.hidden_act,
      c.max_position_embeddings,
      c.type_vocab_size,
      c.layer_norm_eps,
      c.pad_token_id,
      c.position_embedding_type,
      c.projection_dim,
    ],
    [30522, 768, 12, 12, 3072, 'gelu', 512, 2, 1e-12, 0, 'absolute', 0],
  );
  assert.equal(DPR_CONFIG_DEFAULTS.hidden_dropout_prob, 0.1);
});

test('impossible configs fail with ConfigError naming the field', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ hidden_size: 30, num_attention_heads: 4 }, /hidden_size \(30\) is not a multiple of config.num_attention_heads \(4\)/],
    [{ hidden_act: 'gelu_magic' }, /hidden_act "gelu_magic" is not supported; expected one of gelu,/],
    [{ position_embedding_type: 'rotary' }, /position_embedding_type "rotary" is not supported/],
    [{ num_hidden_layers: 0 }, /num_hidden_layers must be a positive integer/],
    [{ vocab_size: 1.5 }, /vocab_size must be a positive integer/],
    [{ projection_dim: -1 }, /projection_dim must be a non-negative integer/],
  ];
  for (const [partial, pattern] of cases) {
    assert.throws(
      () => makeConfig(partial),
      (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
    );
  }
});

test('loadConfig reads config.json and reports unreadable files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpr-config-'));
  assert.throws(
    () => loadConfig(dir),
    (e: unknown) => e instanceof ConfigError && /config.json/.test(e.message),
  );
  writeFileSync(join(dir, 'config.json'), '{not json');
  assert.throws(
    () => loadConfig(dir),
    (e: unknown) => e instanceof ConfigError && /not valid JSON/.test(e.message),
  );
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['DPRReader'], hidden_size: 64, num_attention_heads: 4 }));
  const config = loadConfig(dir);
  assert.equal(config.hidden_size, 64);
  assert.equal(architectureOf(config), 'DPRReader');
});
