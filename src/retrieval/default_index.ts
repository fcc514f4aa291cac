/**
 * The index a question-answering front end (`dpr ask`) uses when given none: the bundled sample corpus embedded with a context
 * encoder, built on first use and cached in `$DPR_CACHE_DIR`, else `$XDG_CACHE_HOME/tfjs-dpr`,
 * else `~/.cache/tfjs-dpr`. The cache key covers the encoder's resolved directory (for a hub id,
 * its snapshot commit) and the corpus bytes, so a new model revision or corpus builds a new index.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_FILE } from './index_format.js';
import { resolveModel, type ResolveModelOptions } from './model_kind.js';

export function dprCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['DPR_CACHE_DIR']) return env['DPR_CACHE_DIR'];
  if (env['XDG_CACHE_HOME']) return join(env['XDG_CACHE_HOME'], 'tfjs-dpr');
  return join(homedir(), '.cache', 'tfjs-dpr');
}

export interface CachedIndexPlan {
  /** Where the index lives (complete when it holds manifest.json). */
  dir: string;
  /** The context encoder's local directory. */
  contextModelDir: string;
  ready: boolean;
}

/**
 * Works out where the index of `corpusPath` by `contextModel` is cached, and whether it is built.
 * Errors name the model as `contextModel` unless `options.option` says otherwise.
 */
export async function planCachedIndex(
  contextModel: string,
  corpusPath: string,
  options: ResolveModelOptions = {},
): Promise<CachedIndexPlan> {
  const { model: contextModelDir } = await resolveModel(contextModel, ['DPRContextEncoder'], { option: 'contextModel', ...options });
  const key = createHash('sha256')
    .update(realpathSync(contextModelDir))
    .update('\0')
    .update(readFileSync(corpusPath))
    .digest('hex')
    .slice(0, 16);
  const dir = join(dprCacheDir(), 'indexes', key);
  return { dir, contextModelDir, ready: existsSync(join(dir, MANIFEST_FILE)) };
}
