/**
 * The state of an index build kept in `OUT/.build/`: the settings that decide the index's bytes
 * and how far the build got. Deciding whether a build may start (an existing index, an interrupted
 * build, a resume with other settings) lives here too.
 */
import { existsSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { syncDir, writeFileAtomic } from '../io/atomic_file.js';
import { EMBEDDING_FILES, INDEX_FORMAT, MANIFEST_FILE, type EmbeddingDtype, type IndexManifest } from './index_format.js';

export const BUILD_DIR = '.build';
const CHECKPOINT_FILE = 'checkpoint.json';

/** Everything that decides the bytes of the index: a resumed build must use the same values. */
export interface BuildSettings {
  dtype: EmbeddingDtype;
  shard_size: number;
  batch_size: number;
  max_tokens: number | null;
  encoder: IndexManifest['encoder'];
}

export interface Checkpoint {
  format: string;
  settings: BuildSettings;
  dim: number | null;
  passages_done: number;
  passages_bytes: number;
}

/** A build with nothing stored yet. */
function freshCheckpoint(settings: BuildSettings): Checkpoint {
  return { format: `${INDEX_FORMAT}-build`, settings, dim: null, passages_done: 0, passages_bytes: 0 };
}

function describeDifference(a: BuildSettings, b: BuildSettings): string {
  const diffs: string[] = [];
  const flatA = { ...a, ...a.encoder, encoder: undefined } as Record<string, unknown>;
  const flatB = { ...b, ...b.encoder, encoder: undefined } as Record<string, unknown>;
  // Every key of either side: a setting only one build has is a difference too.
  for (const key of new Set([...Object.keys(flatA), ...Object.keys(flatB)])) {
    if (JSON.stringify(flatA[key]) !== JSON.stringify(flatB[key]))
      diffs.push(`${key} was ${JSON.stringify(flatA[key])}, now ${JSON.stringify(flatB[key])}`);
  }
  return diffs.join('; ');
}

/** The sibling directory an `overwrite` rebuild of `outDir` is built in: `.NAME.rebuild`. */
export function rebuildDir(outDir: string): string {
  const absolute = resolve(outDir);
  return join(dirname(absolute), `.${basename(absolute)}.rebuild`);
}

/**
 * Where a build into `outDir` writes: `outDir` itself when it holds no index yet, else (only when
 * `overwrite` allows replacing it) the sibling rebuild directory, so the old index stays usable.
 */
export function buildTarget(outDir: string, overwrite: boolean): string {
  if (!existsSync(join(outDir, MANIFEST_FILE))) return outDir;
  if (!overwrite) {
    const pending = existsSync(rebuildDir(outDir))
      ? ` (an interrupted rebuild is in ${rebuildDir(outDir)}: \`overwrite: true\` with \`resume: true\` continues it)`
      : '';
    throw new InputError(
      `${outDir} already holds an index (${MANIFEST_FILE}); pass \`overwrite: true\` to replace it, or choose another \`outDir\`${pending}.`,
    );
  }
  return rebuildDir(outDir);
}

/**
 * Moves the finished index in `rebuilt` over the one in `outDir`. Each rename is atomic; the old
 * manifest is removed first, so for the few milliseconds of the swap `outDir` is "not an index"
 * rather than a mix of old and new files. Readers that opened the old index keep reading it (its
 * files stay alive while open). Other files in `outDir` are left alone.
 */
export function swapIndexInto(outDir: string, rebuilt: string): void {
  const manifest = JSON.parse(readFileSync(join(rebuilt, MANIFEST_FILE), 'utf8')) as IndexManifest;
  unlinkSync(join(outDir, MANIFEST_FILE));
  syncDir(outDir);
  for (const file of Object.values(manifest.files)) renameSync(join(rebuilt, file), join(outDir, file));
  // An index overwritten with the other dtype would leave the old embedding file behind.
  for (const file of Object.values(EMBEDDING_FILES)) if (file !== manifest.files.embeddings) rmSync(join(outDir, file), { force: true });
  syncDir(outDir);
  renameSync(join(rebuilt, MANIFEST_FILE), join(outDir, MANIFEST_FILE));
  syncDir(outDir);
  rmSync(rebuilt, { recursive: true, force: true });
}

/**
 * The checkpoint of an interrupted build in `staging`, checked against `settings`; a fresh one
 * when there is no build to resume. An interrupted build is only continued when `resume` is set.
 */
export function loadCheckpoint(outDir: string, staging: string, settings: BuildSettings, resume: boolean): Checkpoint {
  if (!existsSync(staging)) return freshCheckpoint(settings);
  if (!resume) {
    throw new InputError(
      `${outDir} holds an interrupted build (${staging}); pass \`resume: true\` to continue it, or delete ${staging} to start over.`,
    );
  }
  const path = join(staging, CHECKPOINT_FILE);
  // A build killed before its first checkpoint stored nothing worth keeping.
  if (!existsSync(path)) return freshCheckpoint(settings);
  const checkpoint = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  const diff = describeDifference(checkpoint.settings, settings);
  if (diff !== '') {
    throw new InputError(
      `cannot resume the build in ${outDir} with different settings (${diff}); use the original settings, or delete ${staging} to start over.`,
    );
  }
  return checkpoint;
}

export function saveCheckpoint(staging: string, checkpoint: Checkpoint): void {
  writeFileAtomic(join(staging, CHECKPOINT_FILE), JSON.stringify(checkpoint));
}
