/**
 * Talking to the hub's `/{repo}/resolve/{revision}/{file}` endpoint the way huggingface_hub does:
 *
 * - HEAD first, without following redirects. The answer carries `X-Repo-Commit` (the commit the
 *   revision points to), `ETag` (git blob sha1 of a small file) or, for an LFS file, a 302 to the
 *   CDN with `X-Linked-Etag` (the sha256 of the contents) and `X-Linked-Size`. A redirect without
 *   `X-Repo-Commit` is a renamed repo and is followed.
 * - GET the location the HEAD gave (the CDN for LFS files, without the Authorization header) into
 *   `blobs/<etag>.incomplete`, resuming with `Range: bytes=<have>-` when a previous attempt left
 *   bytes there, retrying a dropped connection a few times the same way.
 * - Verify: the size, and the hash the ETag is (sha256 for LFS, git blob sha1 otherwise). A
 *   mismatch deletes the partial file. Only then rename it to `blobs/<etag>` — an atomic step, so
 *   the blob path never holds a partial or unverified file.
 * - One downloader per blob, across processes: an O_EXCL lock file (see `withBlobLock`).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { withBlobLock } from './blob_lock.js';
import { causeCode, HEAD_ATTEMPTS, isTransient } from './transient.js';
import type { RepoCache } from './cache.js';
import { hubDownloadTimeoutMs, hubEtagTimeoutMs } from './env.js';
import {
  HubEntryNotFoundError,
  type HubError,
  HubIntegrityError,
  HubNetworkError,
  HubNotFoundError,
  HubProtocolError,
  HubUnauthorizedError,
} from './errors.js';
import type { DownloadProgress } from './options.js';

/** What one HEAD on /resolve/ tells us about a file. */
export interface FileMetadata {
  /** X-Repo-Commit: the commit the requested revision resolved to. */
  commit: string;
  /** Normalised ETag (quotes and W/ removed): sha256 for LFS files, git blob sha1 otherwise. */
  etag: string;
  /** X-Linked-Size or Content-Length, when sent. */
  size: number | undefined;
  /** Where to GET the bytes (the CDN URL for LFS files). */
  location: string;
  /** Whether the file is stored in LFS (the hub sent X-Linked-Etag). */
  lfs: boolean;
  /** Whether `location` is a redirect target (the CDN) rather than the hub URL itself. */
  redirected: boolean;
}

/** Who is asking for what; used in every message so the user knows which file failed. */
export interface RequestContext {
  repoId: string;
  file: string;
  revision: string;
  endpoint: string;
  token: string | undefined;
}

export interface TransferOptions {
  onProgress?: ((event: DownloadProgress) => void) | undefined;
  /** Attempts after the first when the connection drops mid-file. Default 3. */
  retries?: number;
  /** Give up on a response that sends nothing for this long. Default $HF_HUB_DOWNLOAD_TIMEOUT or 10 s. */
  idleTimeoutMs?: number;
  /** Give up on a HEAD answered in no more than this. Default $HF_HUB_ETAG_TIMEOUT or 10 s. */
  headTimeoutMs?: number;
}

const MAX_RELATIVE_REDIRECTS = 5;

export function resolveUrl(endpoint: string, repoId: string, revision: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${path}`;
}

export function normalizeEtag(etag: string | null): string | undefined {
  if (etag === null) return undefined;
  const value = etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return value === '' ? undefined : value;
}

function baseHeaders(token: string | undefined): Record<string, string> {
  // identity: sizes and Range offsets must count the stored bytes, not a compressed stream.
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'tfjs-dpr' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  return headers;
}

/** Turns an HTTP error status into the error the user can act on. */
export function httpError(status: number, headers: Headers, ctx: RequestContext): HubError {
  const code = headers.get('x-error-code');
  const repoUrl = `${ctx.endpoint}/${ctx.repoId}`;
  const tokenHelp =
    'pass `token` to fromPretrained, or set HF_TOKEN (or run `huggingface-cli login`), with a token from ' +
    'https://huggingface.co/settings/tokens that can read this repo';
  if (status === 401 || status === 403) {
    if (code === 'GatedRepo') {
      return new HubUnauthorizedError(
        `${ctx.repoId} is a gated repo (HTTP ${status}): accept its conditions at ${repoUrl} while logged in, then ` +
          (ctx.token === undefined ? tokenHelp : 'retry with the token of that account') +
          '.',
        status,
      );
    }
    if (ctx.token === undefined) {
      return new HubUnauthorizedError(
        `${ctx.repoId} needs a token (HTTP ${status}): the repo is private or gated, or does not exist ` +
          `(the hub answers the same to anonymous requests): ${tokenHelp}.`,
        status,
      );
    }
    return new HubUnauthorizedError(
      `the hub refused the token for ${ctx.repoId} (HTTP ${status}): check that it is valid and can read ` +
        `this repo (${repoUrl}), or pass another with \`token\` / HF_TOKEN.`,
      status,
    );
  }
  if (status === 404) {
    if (code === 'EntryNotFound') {
      return new HubEntryNotFoundError(
        `${ctx.file} does not exist in ${ctx.repoId} at revision "${ctx.revision}" (HTTP 404); see ${repoUrl}/tree/${ctx.revision}.`,
        status,
        headers.get('x-repo-commit') ?? undefined,
      );
    }
    if (code === 'RevisionNotFound') {
      return new HubNotFoundError(
        `revision "${ctx.revision}" does not exist in ${ctx.repoId} (HTTP 404): pass an existing branch, tag or commit as \`revision\`.`,
        status,
      );
    }
    return new HubNotFoundError(
      `${ctx.repoId}/${ctx.file} was not found on ${ctx.endpoint} (HTTP 404): check the repo id ` +
        `(e.g. "facebook/dpr-question_encoder-single-nq-base") and the revision; a private repo also needs a token.`,
      status,
    );
  }
  return new HubNetworkError(`${ctx.endpoint} answered HTTP ${status} for ${ctx.repoId}/${ctx.file}; try again later.`, status);
}

function describe(e: unknown): string {
  const code = causeCode(e);
  const message = e instanceof Error ? e.message : String(e);
  return code !== undefined && !message.includes(code) ? `${message}, ${code}` : message;
}

function unreachable(e: unknown, ctx: RequestContext): HubNetworkError {
  return new HubNetworkError(
    `could not reach ${ctx.endpoint} to fetch ${ctx.repoId}/${ctx.file} (${describe(e)}), and it is not in the cache. ` +
      'Check the network (and HF_ENDPOINT); to work without network use files already in the cache with ' +
      '`localFilesOnly: true` or HF_HUB_OFFLINE=1 (fill the cache once while online).',
  );
}

/** One HEAD, retried with backoff when the connection is reset or times out. */
async function headWithRetries(url: string, ctx: RequestContext, headTimeoutMs: number): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, {
        method: 'HEAD',
        headers: baseHeaders(ctx.token),
        redirect: 'manual',
        signal: AbortSignal.timeout(headTimeoutMs),
      });
    } catch (e) {
      if (attempt >= HEAD_ATTEMPTS || !isTransient(e)) throw unreachable(e, ctx);
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

/** HEAD /resolve/: commit, etag, size and download location of one file. */
export async function fetchMetadata(url: string, ctx: RequestContext, headTimeoutMs = hubEtagTimeoutMs()): Promise<FileMetadata> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await headWithRetries(current, ctx, headTimeoutMs);
    const commit = res.headers.get('x-repo-commit') ?? undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null && commit === undefined) {
      // A renamed or moved repo: the hub points at the new name on itself. Follow it.
      if (hop >= MAX_RELATIVE_REDIRECTS) throw new HubProtocolError(`too many redirects resolving ${url}.`);
      current = new URL(location, current).toString();
      continue;
    }
    if (res.status >= 400) throw httpError(res.status, res.headers, ctx);
    const linkedEtag = normalizeEtag(res.headers.get('x-linked-etag'));
    const etag = linkedEtag ?? normalizeEtag(res.headers.get('etag'));
    if (commit === undefined || etag === undefined) {
      throw new HubProtocolError(
        `${current} answered without ${commit === undefined ? 'an X-Repo-Commit' : 'an ETag'} header, so it does not ` +
          'look like a HuggingFace hub; check HF_ENDPOINT / `endpoint`.',
      );
    }
    if (!/^[\w.-]+$/.test(etag)) {
      throw new HubProtocolError(`${current} sent an ETag that cannot name a cache file: ${JSON.stringify(etag)}.`);
    }
    const sizeHeader = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
    const size = sizeHeader !== null && /^\d+$/.test(sizeHeader) ? Number(sizeHeader) : undefined;
    const redirected = location !== null && res.status >= 300;
    return {
      commit,
      etag,
      size,
      location: redirected ? new URL(location, current).toString() : current,
      lfs: linkedEtag !== undefined,
      redirected,
    };
  }
}

/** The hash the hub's ETag is, when it is one we can check. */
function expectedDigest(meta: FileMetadata): { algorithm: 'sha256' | 'sha1'; hex: string; git: boolean } | undefined {
  if (/^[0-9a-f]{64}$/.test(meta.etag)) return { algorithm: 'sha256', hex: meta.etag, git: false };
  if (!meta.lfs && /^[0-9a-f]{40}$/.test(meta.etag)) return { algorithm: 'sha1', hex: meta.etag, git: true };
  return undefined;
}

async function digestFile(path: string, algorithm: 'sha256' | 'sha1', git: boolean): Promise<string> {
  const hash = createHash(algorithm);
  // A git blob id is sha1("blob <size>\0" + contents).
  if (git) hash.update(`blob ${statSync(path).size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A retryable failure: the connection dropped or stalled mid-file. */
class TransferInterrupted extends Error {}

/**
 * Checks the answer to a (possibly ranged) GET; returns the offset its body starts at. Throws
 * TransferInterrupted for what a retry can fix (5xx, a refused or misplaced resume offset).
 */
async function checkResponse(res: Response, partial: string, start: number, ctx: RequestContext): Promise<number> {
  if (res.status === 416) {
    // Our partial file does not fit what the server has: start over.
    await res.body?.cancel();
    truncateSync(partial, 0);
    throw new TransferInterrupted('the server refused the resume offset');
  }
  if (res.status >= 500) {
    await res.body?.cancel();
    throw new TransferInterrupted(`HTTP ${res.status}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw httpError(res.status, res.headers, ctx);
  }
  if (start > 0 && res.status === 200) {
    return 0; // the server ignored Range and sends the whole file
  } else if (start > 0) {
    const range = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
    if (range === null || Number(range[1]) !== start) {
      await res.body?.cancel();
      truncateSync(partial, 0);
      throw new TransferInterrupted(`the server resumed at the wrong offset (${res.headers.get('content-range')})`);
    }
  }
  return start;
}

/**
 * One GET into `partial`, continuing after the bytes already there. Throws TransferInterrupted
 * when the connection breaks (the bytes received so far stay for the next attempt).
 */
async function fetchInto(
  partial: string,
  meta: FileMetadata,
  headers: Record<string, string>,
  ctx: RequestContext,
  options: TransferOptions,
): Promise<void> {
  let start = existsSync(partial) ? statSync(partial).size : 0;
  if (meta.size !== undefined && start > meta.size) {
    truncateSync(partial, 0);
    start = 0;
  }
  if (meta.size !== undefined && start === meta.size) return;

  const controller = new AbortController();
  const idleMs = options.idleTimeoutMs ?? hubDownloadTimeoutMs();
  let timer = setTimeout(() => controller.abort(), idleMs);
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), idleMs);
  };
  try {
    let res: Response;
    try {
      res = await fetch(meta.location, {
        headers: start > 0 ? { ...headers, range: `bytes=${start}-` } : headers,
        redirect: 'follow',
        signal: controller.signal,
      });
    } catch (e) {
      throw new TransferInterrupted(describe(e));
    }
    start = await checkResponse(res, partial, start, ctx);
    const total = meta.size;
    const report = (done: number, finished: boolean): void =>
      options.onProgress?.({ repoId: ctx.repoId, file: ctx.file, bytesDone: done, bytesTotal: total, phase: 'download', done: finished });
    const handle = await open(partial, start > 0 ? 'a' : 'w');
    let done = start;
    try {
      report(done, false);
      if (res.body !== null) {
        try {
          for await (const chunk of res.body) {
            touch();
            await handle.write(chunk);
            done += chunk.byteLength;
            report(done, false);
          }
        } catch (e) {
          throw new TransferInterrupted(controller.signal.aborted ? `no data for ${idleMs / 1000} s` : `connection lost (${describe(e)})`);
        }
      }
    } finally {
      await handle.close();
    }
    if (total !== undefined && done < total) {
      throw new TransferInterrupted(`the server closed the connection after ${done} of ${total} bytes`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Downloads one blob into the cache (blobs/<etag>) unless it is already there. Leaves either the
 * verified blob, or nothing but a resumable `.incomplete` file after a network failure.
 */
export async function downloadBlob(
  cache: RepoCache,
  meta: FileMetadata,
  ctx: RequestContext,
  options: TransferOptions = {},
): Promise<string> {
  const blob = cache.blobPath(meta.etag);
  if (cache.hasBlob(meta.etag)) return blob;
  mkdirSync(dirname(blob), { recursive: true });
  return withBlobLock(cache.lockPath(meta.etag), async () => {
    if (cache.hasBlob(meta.etag)) return blob; // another process finished it while we waited
    const partial = cache.incompletePath(meta.etag);
    const headers = baseHeaders(ctx.token);
    // The CDN gets no token, as in huggingface_hub: it is a signed URL on another host.
    if (meta.redirected) delete headers['authorization'];
    const retries = options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        await fetchInto(partial, meta, headers, ctx, options);
        break;
      } catch (e) {
        if (!(e instanceof TransferInterrupted)) throw e;
        if (attempt >= retries) {
          const have = existsSync(partial) ? statSync(partial).size : 0;
          throw new HubNetworkError(
            `downloading ${ctx.repoId}/${ctx.file} failed after ${attempt + 1} attempts: ${e.message}. ` +
              `${have} bytes are kept in ${partial}; run again to resume from there.`,
          );
        }
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
    const size = existsSync(partial) ? statSync(partial).size : 0;
    const digest = expectedDigest(meta);
    let problem: string | undefined;
    if (meta.size !== undefined && size !== meta.size) {
      problem = `${size} bytes arrived but the hub announced ${meta.size}`;
    } else if (digest !== undefined) {
      const actual = await digestFile(partial, digest.algorithm, digest.git);
      if (actual !== digest.hex) {
        problem = `its ${digest.git ? 'git blob sha1' : 'sha256'} is ${actual}, the hub announced ${digest.hex}`;
      }
    }
    if (problem !== undefined) {
      rmSync(partial, { force: true });
      throw new HubIntegrityError(
        `the download of ${ctx.repoId}/${ctx.file} is corrupt (${problem}); it was deleted and nothing was cached. ` +
          'Run again; if it keeps failing, a proxy or mirror (HF_ENDPOINT) may be altering the file.',
      );
    }
    renameSync(partial, blob);
    options.onProgress?.({
      repoId: ctx.repoId,
      file: ctx.file,
      bytesDone: size,
      bytesTotal: meta.size ?? size,
      phase: 'download',
      done: true,
    });
    return blob;
  });
}
