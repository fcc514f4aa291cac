/**
 * The library names options in backquotes; the CLI puts its flags in their place, and nothing else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inFlagTerms } from '../../src/cli/option_flags.js';

test('backquoted API options become the command flags; unknown names and plain words stay', () => {
  const flags = { outDir: '--out', overwrite: '--overwrite', model: '--model' };
  assert.equal(
    inFlagTerms('/x already holds an index (manifest.json); pass `overwrite: true` to replace it, or choose another `outDir`.', flags),
    '/x already holds an index (manifest.json); pass --overwrite to replace it, or choose another --out.',
  );
  assert.equal(
    inFlagTerms('`model` ./m is a reader; `model` must be an encoder.', flags),
    '--model ./m is a reader; --model must be an encoder.',
  );
  assert.equal(
    inFlagTerms('`workers` and the model outDir, `dpr index build --out x`', flags),
    '`workers` and the model outDir, `dpr index build --out x`',
  );
  assert.equal(inFlagTerms('pass `overwrite: true`', {}), 'pass `overwrite: true`');
});
