/**
 * The server is a front door (ARCHITECTURE.md): nothing in src outside the front doors imports
 * src/serve, and src/serve does not import the command line.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../helpers/reference.js';

/** Modules named in static, re-export, side-effect and dynamic imports (as test/retrieval/layering.test.ts reads them). */
function importedSpecifiers(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function offendingImports(files: string[], forbidden: string): string[] {
  return files.flatMap((file) =>
    importedSpecifiers(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) =>
        relative(PROJECT_ROOT, resolve(dirname(file), s))
          .split(sep)
          .join('/'),
      )
      .filter((target) => target.startsWith(forbidden))
      .map((target) => `${relative(PROJECT_ROOT, file)} imports ${target}`),
  );
}

test('nothing in src but the CLI imports src/serve', () => {
  const src = join(PROJECT_ROOT, 'src');
  const files = sourceFiles(src).filter((f) => !f.startsWith(join(src, 'cli') + sep) && !f.startsWith(join(src, 'serve') + sep));
  assert.ok(files.length > 50, `found only ${files.length} library files`);
  assert.deepEqual(offendingImports(files, 'src/serve/'), []);
});

test('src/serve does not import src/cli', () => {
  const files = sourceFiles(join(PROJECT_ROOT, 'src', 'serve'));
  assert.ok(files.length >= 5);
  assert.deepEqual(offendingImports(files, 'src/cli/'), []);
});
