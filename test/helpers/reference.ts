/**
 * Where the HuggingFace reference outputs live: $DPR_REFERENCE_DIR, else ../shared/reference
 * relative to the project root. Tests that need it fail loudly when it is missing.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REFERENCE_ENV_VAR = 'DPR_REFERENCE_DIR';

export function referenceDir(): string {
  const dir = process.env[REFERENCE_ENV_VAR] ?? join(PROJECT_ROOT, '..', 'shared', 'reference');
  if (!existsSync(join(dir, 'README.md'))) {
    throw new Error(`reference data not found at ${dir}; set ${REFERENCE_ENV_VAR} to the shared/reference directory.`);
  }
  return dir;
}

export function referencePath(...parts: string[]): string {
  return join(referenceDir(), ...parts);
}
