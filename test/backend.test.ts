import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_ENV_VAR, ConfigError, getBackend, setBackend } from '../src/index.js';

test('setBackend picks wasm by default here (tfjs-node is not installed), and honours names', async () => {
  const saved = process.env[BACKEND_ENV_VAR];
  delete process.env[BACKEND_ENV_VAR];
  try {
    assert.equal(await setBackend(), 'wasm');
    assert.equal(getBackend(), 'wasm');
    assert.equal(await setBackend('cpu'), 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
  } finally {
    if (saved !== undefined) process.env[BACKEND_ENV_VAR] = saved;
  }
});

test(`${BACKEND_ENV_VAR} chooses the backend when no name is given`, async () => {
  const saved = process.env[BACKEND_ENV_VAR];
  try {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    assert.equal(await setBackend(), 'cpu');
    process.env[BACKEND_ENV_VAR] = 'gpu-please';
    await assert.rejects(
      setBackend(),
      (e: unknown) => e instanceof ConfigError && /TFJS_DPR_BACKEND is "gpu-please"; expected one of tensorflow, wasm, cpu/.test(e.message),
    );
  } finally {
    if (saved === undefined) delete process.env[BACKEND_ENV_VAR];
    else process.env[BACKEND_ENV_VAR] = saved;
  }
});

test('the tensorflow backend without @tensorflow/tfjs-node is a clear ConfigError', async () => {
  await assert.rejects(
    setBackend('tensorflow'),
    (e: unknown) => e instanceof ConfigError && /needs the optional package @tensorflow\/tfjs-node/.test(e.message),
  );
  await assert.rejects(setBackend('webgl'), (e: unknown) => e instanceof ConfigError && /backend is "webgl"/.test(e.message));
});
