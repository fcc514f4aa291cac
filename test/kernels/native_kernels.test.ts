/**
 * The switch over all native kernels (src/kernels/native_kernels.ts): the environment variable,
 * its deprecated old name, the deprecated function names, and the fallback without the addon.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  FAST_MATMUL_ENV_VAR,
  NATIVE_KERNELS_ENV_VAR,
  nativeKernelStatus,
  registerNativeKernels,
  unregisterNativeKernels,
} from '../../src/kernels/native_kernels.js';
import { GELU_KERNEL } from '../../src/kernels/fused_elementwise.js';
import * as api from '../../src/index.js';

function addonBuilt(): boolean {
  try {
    createRequire(import.meta.url)('dpr-native-kernels');
    return true;
  } catch {
    return false;
  }
}

/** Runs `body` with the two variables set as given (undefined: unset), then restores them. */
async function withEnv(values: Record<string, string | undefined>, body: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const assign = (entries: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(entries)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  assign(values);
  try {
    await body();
  } finally {
    assign(saved);
  }
}

test('native kernels switch', async (t) => {
  await tf.setBackend('wasm');

  await t.test(`${NATIVE_KERNELS_ENV_VAR}=0 turns matMul, GELU and LayerNorm off`, async () => {
    unregisterNativeKernels();
    await withEnv({ [NATIVE_KERNELS_ENV_VAR]: '0', [FAST_MATMUL_ENV_VAR]: undefined }, async () => {
      assert.equal(await registerNativeKernels(), false);
      assert.deepEqual(nativeKernelStatus(), { registered: false, reason: 'TFJS_DPR_NATIVE_KERNELS=0' });
      assert.equal(tf.getKernel(GELU_KERNEL, 'wasm'), undefined);
    });
  });

  await t.test(`the deprecated ${FAST_MATMUL_ENV_VAR}=0 still turns them off, and says to use the new name`, async () => {
    unregisterNativeKernels();
    await withEnv({ [NATIVE_KERNELS_ENV_VAR]: undefined, [FAST_MATMUL_ENV_VAR]: '0' }, async () => {
      assert.equal(await registerNativeKernels(), false);
      assert.equal(nativeKernelStatus().reason, 'TFJS_DPR_FAST_MATMUL=0 (deprecated name: use TFJS_DPR_NATIVE_KERNELS=0)');
    });
  });

  await t.test('the new name wins when both are set', async () => {
    unregisterNativeKernels();
    await withEnv({ [NATIVE_KERNELS_ENV_VAR]: '1', [FAST_MATMUL_ENV_VAR]: '0' }, async () => {
      assert.equal(await registerNativeKernels(), addonBuilt());
      assert.doesNotMatch(nativeKernelStatus().reason ?? '', /TFJS_DPR_FAST_MATMUL/);
    });
    unregisterNativeKernels();
  });

  await t.test('the deprecated function names are the same functions, exported from the package', () => {
    assert.equal(api.registerFastMatMul, api.registerNativeKernels);
    assert.equal(api.unregisterFastMatMul, api.unregisterNativeKernels);
    assert.equal(api.fastMatMulStatus, api.nativeKernelStatus);
    assert.equal(api.registerNativeKernels, registerNativeKernels);
  });

  if (!addonBuilt()) {
    await t.test('registerNativeKernels() resolves false without the addon, naming the package', async () => {
      await withEnv({ [NATIVE_KERNELS_ENV_VAR]: undefined, [FAST_MATMUL_ENV_VAR]: undefined }, async () => {
        assert.equal(await registerNativeKernels(), false);
        assert.match(nativeKernelStatus().reason ?? '', /optional package dpr-native-kernels is not built/);
      });
    });
    return;
  }

  await t.test('with the addon: one call registers the matMul and the element-wise kernels', async () => {
    await withEnv({ [NATIVE_KERNELS_ENV_VAR]: undefined, [FAST_MATMUL_ENV_VAR]: undefined }, async () => {
      assert.equal(await registerNativeKernels({ threads: 1 }), true, nativeKernelStatus().reason);
      const status = nativeKernelStatus();
      assert.match(status.isa ?? '', /^avx(2|512)$/);
      assert.deepEqual(status.elementwise?.sort(), ['cpu', 'wasm']);
      assert.notEqual(tf.getKernel(GELU_KERNEL, 'wasm'), undefined);
      unregisterNativeKernels();
      assert.deepEqual(nativeKernelStatus(), { registered: false, reason: 'unregistered' });
      assert.equal(tf.getKernel(GELU_KERNEL, 'wasm'), undefined);
    });
  });
});
