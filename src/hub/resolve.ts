/**
 * `nameOrDir` → a local directory holding a model's or tokenizer's files: the directory itself
 * when it exists, else a snapshot of the hub repo, downloaded into (or found in) the HuggingFace
 * cache — transformers' `from_pretrained` resolution.
 *
 * Unlike huggingface_hub, a revision whose files are all in the cache is served without asking
 * the hub whether the branch moved: loading a model must not need the network (and must not
 * wait on it) once it has been downloaded. A new commit is picked up when a file is missing, or
 * by passing the commit sha as `revision`.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { RepoCache, validateRepoFile, validateRevision } from './cache.js';
import { downloadBlob, fetchMetadata, resolveUrl, type RequestContext, type TransferOptions } from './download.js';
import { hubCacheDir, hubDownloadTimeoutMs, hubEndpoint, hubEtagTimeoutMs, hubOffline, hubToken, type Env } from './env.js';
import { HubEntryNotFoundError, HubError, HubNotFoundError, HubOfflineError } from './errors.js';
import { filesOf, PYTORCH_WEIGHTS, SAFETENSORS_WEIGHTS, type FileSet } from '../io/model_files.js';
import type { PretrainedOptions } from './options.js';

export interface ResolveOptions extends PretrainedOptions {
  files: FileSet;
  /**
   * Also fetch weights: model.safetensors when the repo has it, else pytorch_model.bin converted
   * to model.safetensors (kept beside the snapshot, see RepoCache.derivedDir).
   */
  weights?: boolean;
  /** Environment to read HF_* from. Default process.env. */
  env?: Env;
  /** Download tuning, mostly for tests. Timeouts default to $HF_HUB_ETAG_TIMEOUT / $HF_HUB_DOWNLOAD_TIMEOUT. */
  transfer?: Pick<TransferOptions, 'retries' | 'idleTimeoutMs' | 'headTimeoutMs'>;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True when `name` reads as a filesystem path rather than a hub id. */
export function looksLikePath(name: string): boolean {
  return /^(\.{1,2}([\\/]|$)|[\\/~])/.test(name) || name.includes('\\') || name.split('/').length > 2 || /^[A-Za-z]:/.test(name);
}

interface Settings {
  cache: RepoCache;
  revision: string;
  endpoint: string;
  token: string | undefined;
  offline: boolean;
  offlineReason: string;
  headTimeoutMs: number;
  idleTimeoutMs: number;
  options: ResolveOptions;
}

function settingsFor(repoId: string, options: ResolveOptions): Settings {
  const env = options.env ?? process.env;
  const revision = options.revision ?? 'main';
  validateRevision(revision);
  const envOffline = hubOffline(env);
  return {
    cache: new RepoCache(options.cacheDir ?? hubCacheDir(env), repoId),
    revision,
    endpoint: (options.endpoint ?? hubEndpoint(env)).replace(/\/+$/, ''),
    token: options.token === false ? undefined : (options.token ?? hubToken(env)),
    offline: options.localFilesOnly === true || envOffline,
    offlineReason: options.localFilesOnly === true ? '`localFilesOnly` is set' : 'HF_HUB_OFFLINE is set',
    headTimeoutMs: options.transfer?.headTimeoutMs ?? hubEtagTimeoutMs(env),
    idleTimeoutMs: options.transfer?.idleTimeoutMs ?? hubDownloadTimeoutMs(env),
    options,
  };
}

/**
 * Resolves one file of a repo at a revision, like huggingface_hub's hf_hub_download: returns its
 * path in the snapshot, or undefined when `optional` and the repo does not have it. `commit` pins
 * the commit once known, so every file of one call comes from the same commit.
 */
async function resolveFile(
  s: Settings,
  pinned: { commit: string | undefined },
  file: string,
  optional: boolean,
): Promise<string | undefined> {
  const { cache } = s;
  if (pinned.commit !== undefined) {
    const cached = cache.lookup(pinned.commit, file);
    if (cached.state === 'present') return cached.path;
    if (cached.state === 'absent' && optional) return undefined;
  }
  const revision = pinned.commit ?? s.revision;
  const ctx: RequestContext = { repoId: cache.repoId, file, revision, endpoint: s.endpoint, token: s.token };
  let meta;
  try {
    meta = await fetchMetadata(resolveUrl(s.endpoint, cache.repoId, revision, file), ctx, s.headTimeoutMs);
  } catch (e) {
    if (e instanceof HubEntryNotFoundError) {
      // The repo exists but lacks the file: an optional file is absent, as in huggingface_hub
      // (transformers' missing-entries-allowed path). The absence is remembered for the commit
      // the hub named (X-Repo-Commit) or, when a mirror dropped that header, for the commit
      // this request was pinned to.
      const commit = e.entryCommit ?? pinned.commit;
      if (commit !== undefined) cache.markAbsent(commit, file);
      if (e.entryCommit !== undefined) {
        cache.writeRef(s.revision, e.entryCommit);
        pinned.commit ??= e.entryCommit;
      }
      if (optional) return undefined;
    }
    throw e;
  }
  pinned.commit ??= meta.commit;
  cache.writeRef(s.revision, meta.commit);
  if (!meta.redirected && revision !== meta.commit) {
    // GET the bytes at the commit the HEAD named, not at a branch that may move in between.
    const marker = `/resolve/${encodeURIComponent(revision)}/`;
    meta = { ...meta, location: meta.location.replace(marker, `/resolve/${meta.commit}/`) };
  }
  const cached = cache.lookup(meta.commit, file);
  if (cached.state === 'present') return cached.path;
  await downloadBlob(cache, meta, ctx, { idleTimeoutMs: s.idleTimeoutMs, ...s.options.transfer, onProgress: s.options.onProgress });
  return cache.linkSnapshot(meta.commit, file, meta.etag);
}

/**
 * What the cache alone lacks for `files` at `commit`, and whether the weights must come from a
 * converted pytorch_model.bin. Offline, an optional file the cache knows nothing about is taken as
 * absent (transformers does the same), and a cached pytorch_model.bin stands in for an unknown
 * model.safetensors.
 */
function fromCache(s: Settings, commit: string, files: FileSet, weights: boolean): { missing: string[]; convert: boolean } {
  const state = (file: string) => s.cache.lookup(commit, file).state;
  const missing: string[] = files.required.filter((f) => state(f) !== 'present');
  if (!s.offline) missing.push(...(files.optional ?? []).filter((f) => state(f) === 'unknown'));
  let convert = false;
  if (weights) {
    const safetensors = state(SAFETENSORS_WEIGHTS);
    if (safetensors === 'unknown' && !s.offline) missing.push(SAFETENSORS_WEIGHTS);
    else if (safetensors !== 'present') {
      if (state(PYTORCH_WEIGHTS) === 'present') convert = true;
      else missing.push(safetensors === 'absent' ? PYTORCH_WEIGHTS : `${SAFETENSORS_WEIGHTS} (or ${PYTORCH_WEIGHTS})`);
    }
  }
  return { missing, convert };
}

/**
 * <repo>/tfjs-dpr/<commit>/: the snapshot converted by src/io/convert.ts — model.safetensors
 * from pytorch_model.bin, plus config.json and the tokenizer files. Converted into a unique
 * temporary directory renamed into place, so concurrent loaders each see no directory or a
 * complete one, and an interrupted conversion leaves nothing that looks usable.
 */
async function derivedWithConversion(s: Settings, commit: string): Promise<string> {
  const dir = s.cache.derivedDir(commit);
  if (existsSync(join(dir, SAFETENSORS_WEIGHTS))) return dir;
  const bin = s.cache.pointerPath(commit, PYTORCH_WEIGHTS);
  const size = statSync(bin).size;
  const report = (done: boolean): void =>
    s.options.onProgress?.({
      repoId: s.cache.repoId,
      file: PYTORCH_WEIGHTS,
      bytesDone: done ? size : 0,
      bytesTotal: size,
      phase: 'convert',
      done,
    });
  report(false);
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // Loaded on demand: only repos without model.safetensors need the pickle reader.
    const { convertCheckpoint } = await import('../io/convert.js');
    await convertCheckpoint(s.cache.snapshotDir(commit), tmp, { from: 'pytorch' });
    try {
      renameSync(tmp, dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Another process published the same conversion first; use theirs.
      if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(join(dir, SAFETENSORS_WEIGHTS)))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  report(true);
  return dir;
}

/**
 * Returns a local directory with `options.files` (and the weights when `options.weights`):
 * `nameOrDir` unchanged when it is a directory, else the cache snapshot of hub repo `nameOrDir`
 * at `options.revision`, downloading what the cache lacks unless offline.
 */
export async function resolvePretrained(nameOrDir: string, options: ResolveOptions): Promise<string> {
  if (isDirectory(nameOrDir)) return nameOrDir;
  if (looksLikePath(nameOrDir)) {
    throw new InputError(
      `no directory at ${nameOrDir}; pass an existing model directory or a hub id like "facebook/dpr-question_encoder-single-nq-base".`,
    );
  }
  const files = options.files;
  for (const file of filesOf(files)) validateRepoFile(file);
  const s = settingsFor(nameOrDir, options);
  const weights = options.weights === true;

  const known = s.cache.commitFor(s.revision);
  if (known !== undefined) {
    const { missing, convert } = fromCache(s, known, files, weights);
    if (missing.length === 0) {
      return convert ? derivedWithConversion(s, known) : s.cache.snapshotDir(known);
    }
    if (s.offline) throw offlineError(s, missing);
  } else if (s.offline) {
    throw offlineError(s, [...files.required, ...(weights ? [SAFETENSORS_WEIGHTS] : [])]);
  }

  const pinned: { commit: string | undefined } = { commit: undefined };
  for (const file of files.required) await resolveFile(s, pinned, file, false);
  for (const file of files.optional ?? []) await resolveFile(s, pinned, file, true);
  let convert = false;
  if (weights && (await resolveFile(s, pinned, SAFETENSORS_WEIGHTS, true)) === undefined) {
    try {
      await resolveFile(s, pinned, PYTORCH_WEIGHTS, false);
    } catch (e) {
      if (e instanceof HubEntryNotFoundError) {
        throw new HubNotFoundError(
          `${nameOrDir} at revision "${s.revision}" has neither ${SAFETENSORS_WEIGHTS} nor ${PYTORCH_WEIGHTS}; ` +
            'tfjs-dpr reads PyTorch checkpoints only (not tf_model.h5 or flax_model.msgpack).',
          404,
        );
      }
      throw e;
    }
    convert = true;
  }
  const commit = pinned.commit;
  if (commit === undefined) throw new HubError('protocol', `resolving ${nameOrDir} fetched no file.`);
  return convert ? derivedWithConversion(s, commit) : s.cache.snapshotDir(commit);
}

function offlineError(s: Settings, missing: string[]): HubOfflineError {
  return new HubOfflineError(
    `${s.offlineReason}, and ${s.cache.repoId} at revision "${s.revision}" is not in the cache at ${s.cache.cacheDir} ` +
      `(missing: ${missing.join(', ')}). Run once with network access to download it (unset HF_HUB_OFFLINE, ` +
      '`localFilesOnly: false`), or point `cacheDir` / HF_HUB_CACHE at a cache that holds it.',
  );
}

/**
 * One file of a hub repo, like huggingface_hub's hf_hub_download: its path in the cache snapshot.
 */
export async function hubDownload(repoId: string, file: string, options: PretrainedOptions & { env?: Env } = {}): Promise<string> {
  validateRepoFile(file);
  const dir = await resolvePretrained(repoId, { ...options, files: { required: [file] } });
  return join(dir, ...file.split('/'));
}
