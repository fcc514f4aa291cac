/**
 * The HuggingFace hub cache, in huggingface_hub's own layout (file_download.py `hf_hub_download`),
 * so that a model Python downloaded is reused here and the other way round:
 *
 *   <cache>/models--org--name/
 *     blobs/<etag>                      file contents, named by the hub's ETag: sha256 for LFS
 *                                       files, git blob sha1 for the others
 *     blobs/<etag>.incomplete           a download in progress (resumed with HTTP Range)
 *     refs/<revision>                   the commit sha the branch/tag pointed to (no newline)
 *     snapshots/<commit>/<file>         relative symlink to ../../blobs/<etag>
 *     .no_exist/<commit>/<file>         empty marker: the file is absent at that commit
 *   <cache>/.locks/models--org--name/<etag>.lock
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic_file.js';

export const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** huggingface_hub's validate_repo_id: `name` or `namespace/name`, [\w.-], no `--` or `..`. */
export function validateRepoId(repoId: string): void {
  const ok =
    /^(?:[\w.-]+\/)?[\w.-]+$/.test(repoId) &&
    !repoId.includes('--') &&
    !repoId.includes('..') &&
    !/^[.-]|[.-]$|[.-]\/|\/[.-]/.test(repoId) &&
    repoId.length <= 96;
  if (!ok) {
    throw new InputError(
      `"${repoId}" is neither an existing directory nor a valid hub repo id ` +
        '(expected "name" or "org/name" of letters, digits, "-", "_", "."; ' +
        'e.g. "facebook/dpr-question_encoder-single-nq-base").',
    );
  }
}

/** A file path inside a repo: relative, "/"-separated, no "." or ".." segments. */
export function validateRepoFile(file: string): void {
  const parts = file.split('/');
  if (file.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new InputError(`"${file}" is not a valid file path inside a repo (relative, "/"-separated, no "..").`);
  }
}

export function validateRevision(revision: string): void {
  const parts = revision.split('/');
  if (revision.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new InputError(`"${revision}" is not a valid revision (a branch, tag or 40-hex commit sha).`);
  }
}

/** `models--org--name`, as huggingface_hub's repo_folder_name. */
export function repoFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

/** What the cache knows about one file at one commit. */
export type CachedFile = { state: 'present'; path: string } | { state: 'absent' } | { state: 'unknown' };

export class RepoCache {
  readonly cacheDir: string;
  readonly repoId: string;
  /** <cache>/models--org--name */
  readonly root: string;

  constructor(cacheDir: string, repoId: string) {
    validateRepoId(repoId);
    this.cacheDir = cacheDir;
    this.repoId = repoId;
    this.root = join(cacheDir, repoFolderName(repoId));
  }

  blobPath(etag: string): string {
    return join(this.root, 'blobs', etag);
  }

  incompletePath(etag: string): string {
    return `${this.blobPath(etag)}.incomplete`;
  }

  lockPath(etag: string): string {
    return join(this.cacheDir, '.locks', repoFolderName(this.repoId), `${etag}.lock`);
  }

  snapshotDir(commit: string): string {
    return join(this.root, 'snapshots', commit);
  }

  pointerPath(commit: string, file: string): string {
    return join(this.snapshotDir(commit), ...file.split('/'));
  }

  noExistPath(commit: string, file: string): string {
    return join(this.root, '.no_exist', commit, ...file.split('/'));
  }

  /**
   * Where tfjs-dpr keeps what it derives from a snapshot (model.safetensors converted from a
   * pytorch_model.bin). Not under snapshots/: everything there must be a symlink to a blob whose
   * name is the hub's ETag, and huggingface_hub (scan-cache, Python's from_pretrained) would take
   * a file we made for one the repo has. Inside the repo folder rather than a separate cache so
   * `huggingface-cli delete-cache` removing the repo removes its conversions too.
   */
  derivedDir(commit: string): string {
    return join(this.root, 'tfjs-dpr', commit);
  }

  refPath(revision: string): string {
    return join(this.root, 'refs', ...revision.split('/'));
  }

  /** The commit a revision names: itself if it is a commit sha, else what refs/ recorded. */
  commitFor(revision: string): string | undefined {
    if (COMMIT_HASH.test(revision)) return revision;
    const ref = this.refPath(revision);
    if (!existsSync(ref)) return undefined;
    const commit = readFileSync(ref, 'utf8').trim();
    return COMMIT_HASH.test(commit) ? commit : undefined;
  }

  /** Records revision → commit, only when it changed (a read-only shared cache stays usable). */
  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    const ref = this.refPath(revision);
    if (existsSync(ref) && readFileSync(ref, 'utf8').trim() === commit) return;
    mkdirSync(dirname(ref), { recursive: true });
    writeFileAtomic(ref, commit);
  }

  lookup(commit: string, file: string): CachedFile {
    const pointer = this.pointerPath(commit, file);
    // existsSync follows the symlink, so a link whose blob was deleted counts as missing.
    if (existsSync(pointer)) return { state: 'present', path: pointer };
    if (existsSync(this.noExistPath(commit, file))) return { state: 'absent' };
    return { state: 'unknown' };
  }

  markAbsent(commit: string, file: string): void {
    const marker = this.noExistPath(commit, file);
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, '');
  }

  /**
   * snapshots/<commit>/<file> → blobs/<etag> as a relative link (the cache folder can be moved),
   * made under a temporary name and renamed over the target so a concurrent reader sees either
   * the old link or the new one. Where symlinks are refused (Windows without developer mode) the
   * blob is copied, as huggingface_hub does.
   */
  linkSnapshot(commit: string, file: string, etag: string): string {
    const pointer = this.pointerPath(commit, file);
    const blob = this.blobPath(etag);
    mkdirSync(dirname(pointer), { recursive: true });
    const tmp = `${pointer}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      symlinkSync(relative(dirname(pointer), blob), tmp);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
      copyFileSync(blob, tmp);
    }
    try {
      renameSync(tmp, pointer);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return pointer;
  }

  hasBlob(etag: string): boolean {
    try {
      return lstatSync(this.blobPath(etag)).isFile();
    } catch {
      return false;
    }
  }
}
