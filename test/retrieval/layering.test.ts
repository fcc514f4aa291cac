/**
 * The layers of the tree, checked from the source: nothing in src/retrieval imports src/cli (the
 * library never depends on its command line), and no CLI command imports another command (they
 * share library calls and src/cli helpers instead). Reads every import line, static or dynamic.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../helpers/reference.js';

/** Every module a TypeScript source names in `import … from`, `export … from`, `import '…'` or `import('…')`. */
export function importedSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of `file`, as paths from the project root (`src/cli/progress.ts`). */
function localImports(file: string): string[] {
  return importedSpecifiers(readFileSync(file, 'utf8'))
    .filter((s) => s.startsWith('.'))
    .map((s) =>
      relative(PROJECT_ROOT, resolve(dirname(file), s))
        .split(sep)
        .join('/')
        .replace(/\.js$/, '.ts'),
    );
}

describe('layering', () => {
  test('the import reader sees static, re-export, side-effect, multi-line and dynamic imports', () => {
    const source = [
      "import { a } from '../cli/progress.js';",
      "import {\n  b,\n  c,\n} from './x.js';",
      "export { d } from './y.js';",
      'import type { E } from "../cli/args.js";',
      "import './side.js';",
      "const m = await import('./commands/z.js');",
      "// a string 'from here' is not an import",
    ].join('\n');
    assert.deepEqual(importedSpecifiers(source).sort(), [
      '../cli/args.js',
      '../cli/progress.js',
      './commands/z.js',
      './side.js',
      './x.js',
      './y.js',
    ]);
  });

  test('nothing in src/retrieval imports src/cli', () => {
    const files = sourceFiles(join(PROJECT_ROOT, 'src', 'retrieval'));
    assert.ok(files.length > 10, `found only ${files.length} files in src/retrieval`);
    const offending = files.flatMap((f) =>
      localImports(f)
        .filter((i) => i.startsWith('src/cli/'))
        .map((i) => `${relative(PROJECT_ROOT, f)} imports ${i}`),
    );
    assert.deepEqual(offending, []);
  });

  test('no CLI command imports another command', () => {
    const files = sourceFiles(join(PROJECT_ROOT, 'src', 'cli', 'commands'));
    const offending = files.flatMap((f) =>
      localImports(f)
        .filter((i) => i.startsWith('src/cli/commands/'))
        .map((i) => `${relative(PROJECT_ROOT, f)} imports ${i}`),
    );
    assert.deepEqual(offending, []);
  });
});
