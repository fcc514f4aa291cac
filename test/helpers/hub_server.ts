/**
 * A small stand-in for huggingface.co on 127.0.0.1, speaking the parts of its HTTP API that
 * downloads use, with the same conventions:
 *
 *   HEAD/GET /{org}/{name}/resolve/{revision}/{file}
 *     small file → 200, ETag "<git blob sha1>", X-Repo-Commit, Content-Length
 *     LFS file (*.safetensors, *.bin) → 302 to /cdn/<sha256> with X-Linked-Etag "<sha256>",
 *       X-Linked-Size, X-Repo-Commit, ETag of the LFS pointer file
 *     unknown repo → 404 X-Error-Code: RepoNotFound; missing file → 404 EntryNotFound with
 *       X-Repo-Commit; unknown revision → 404 RevisionNotFound; private/gated repo without the
 *       right bearer token → 401
 *   GET /cdn/<sha256> → the bytes, honouring `Range: bytes=N-` (206 + Content-Range)
 *   A repo listed in `renamed` answers 307 with a relative Location to its new name.
 *
 * Faults, armed per file by tests: cut the connection after N bytes, stall after N bytes, flip a byte.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { referencePath } from './reference.js';

export interface RepoSpec {
  /** Directory whose files make up the repo. */
  dir: string;
  /** Which files of `dir` the repo holds. */
  files: string[];
  /** When set, requests need `Authorization: Bearer <token>` (a private repo). */
  token?: string;
  /** With `token`: answer 401/403 with X-Error-Code GatedRepo instead of RepoNotFound. */
  gated?: boolean;
}

export interface RequestLog {
  method: string;
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface Faults {
  /** Close the connection after sending `bytes` bytes of `file` in a response, `times` times. */
  cut?: { file: string; bytes: number; times: number };
  /** Send `bytes` bytes of `file`, then nothing more (the connection stays open), `times` times. */
  stall?: { file: string; bytes: number; times: number };
  /** Send `file` with one byte flipped, `times` times. */
  corrupt?: { file: string; times: number };
  /** Answer a missing file's 404 EntryNotFound without X-Repo-Commit, as some mirrors and proxies do. */
  dropEntryCommit?: boolean;
  /** Reset the connection (no answer at all) for the next `times` requests, HEAD or GET. */
  reset?: { times: number };
}

export interface HubServer {
  url: string;
  requests: RequestLog[];
  faults: Faults;
  commitOf(repoId: string): string;
  close(): Promise<void>;
}

interface StoredFile {
  bytes: Buffer;
  lfs: boolean;
  gitSha1: string;
  sha256: string;
  /** git sha1 of the LFS pointer text stored in git for an LFS file. */
  pointerSha1: string;
}

const LFS_PATTERN = /\.(safetensors|bin|h5|msgpack)$/;

function gitBlobSha1(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The HF files of a reference model directory (not its test fixtures). */
export const REPO_FILES = [
  'config.json',
  'model.safetensors',
  'pytorch_model.bin',
  'vocab.txt',
  'tokenizer_config.json',
  'special_tokens_map.json',
];

/** The reference models as hub repos. */
export function referenceRepos(): Record<string, RepoSpec> {
  const model = (name: string, files = REPO_FILES): RepoSpec => ({ dir: referencePath('models', name), files });
  return {
    'test-org/question_encoder': model('question_encoder'),
    'test-org/context_encoder_proj': model('context_encoder_proj'),
    'test-org/reader': model('reader'),
    'test-org/legacy-only': model(
      'question_encoder-legacy-bin',
      REPO_FILES.filter((f) => f !== 'model.safetensors'),
    ),
    'test-org/private': { ...model('question_encoder'), token: 'hf_secret' },
    'test-org/gated': { ...model('question_encoder'), token: 'hf_secret', gated: true },
  };
}

export async function startHubServer(
  repos: Record<string, RepoSpec> = referenceRepos(),
  options: { renamed?: Record<string, string> } = {},
): Promise<HubServer> {
  const stored = new Map<string, Map<string, StoredFile>>();
  const bySha = new Map<string, { repoId: string; file: string; data: StoredFile }>();
  const cache = new Map<string, StoredFile>();
  for (const [repoId, spec] of Object.entries(repos)) {
    const files = new Map<string, StoredFile>();
    for (const file of spec.files) {
      const path = join(spec.dir, file);
      let data = cache.get(path);
      if (data === undefined) {
        const bytes = readFileSync(path);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const pointer = Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${bytes.length}\n`);
        data = { bytes, lfs: LFS_PATTERN.test(file), gitSha1: gitBlobSha1(bytes), sha256, pointerSha1: gitBlobSha1(pointer) };
        cache.set(path, data);
      }
      files.set(file, data);
      if (data.lfs) bySha.set(data.sha256, { repoId, file, data });
    }
    stored.set(repoId, files);
  }
  const commitOf = (repoId: string): string => createHash('sha1').update(`commit of ${repoId}`).digest('hex');

  const requests: RequestLog[] = [];
  const faults: Faults = {};
  let base = '';

  function sendBytes(req: IncomingMessage, res: ServerResponse, file: string, data: StoredFile, headers: Record<string, string>): void {
    let body = data.bytes;
    const corrupt = faults.corrupt;
    if (req.method === 'GET' && corrupt !== undefined && corrupt.file === file && corrupt.times > 0) {
      corrupt.times--;
      body = Buffer.from(body);
      const at = Math.floor(body.length / 2);
      body[at] = body[at]! ^ 0xff;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range !== null) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
    }
    const status = range !== null ? 206 : 200;
    const out: Record<string, string> = {
      ...headers,
      'accept-ranges': 'bytes',
      'content-length': String(body.length - start),
      'content-type': 'application/octet-stream',
    };
    if (range !== null) out['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(status, out);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const cut = faults.cut;
    if (cut !== undefined && cut.file === file && cut.times > 0 && cut.bytes < body.length - start) {
      cut.times--;
      // Send part of the body, then close the socket: the client sees fewer bytes than
      // Content-Length promised, as when a connection drops.
      res.write(body.subarray(start, start + cut.bytes), () => res.socket?.destroySoon());
      return;
    }
    const stall = faults.stall;
    if (stall !== undefined && stall.file === file && stall.times > 0) {
      stall.times--;
      res.write(body.subarray(start, start + stall.bytes));
      return;
    }
    res.end(body.subarray(start));
  }

  const server = createServer((req, res) => {
    if (faults.reset !== undefined && faults.reset.times > 0) {
      faults.reset.times--;
      req.socket.resetAndDestroy();
      return;
    }
    const url = new URL(req.url ?? '/', base);
    const path = decodeURIComponent(url.pathname);
    requests.push({
      method: req.method ?? '',
      path,
      range: req.headers.range,
      authorization: req.headers.authorization,
    });
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(path);
    if (cdn !== null) {
      const entry = bySha.get(cdn[1]!);
      if (entry === undefined) return void res.writeHead(404).end('no such object');
      return sendBytes(req, res, entry.file, entry.data, { etag: `"${entry.data.sha256}"` });
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (resolve === null) return void res.writeHead(404).end('not a hub URL');
    const [, repoId, revision, file] = resolve as unknown as [string, string, string, string];
    const newName = options.renamed?.[repoId];
    if (newName !== undefined) {
      return void res.writeHead(307, { location: `/${newName}/resolve/${encodeURIComponent(revision)}/${file}` }).end();
    }
    const spec = repos[repoId];
    const files = stored.get(repoId);
    if (spec === undefined || files === undefined) {
      return void res.writeHead(404, { 'x-error-code': 'RepoNotFound' }).end('Repository not found');
    }
    if (spec.token !== undefined && req.headers.authorization !== `Bearer ${spec.token}`) {
      const status = req.headers.authorization === undefined ? 401 : 403;
      return void res.writeHead(status, { 'x-error-code': spec.gated ? 'GatedRepo' : 'RepoNotFound' }).end('Access denied');
    }
    const commit = commitOf(repoId);
    if (revision !== 'main' && revision !== commit) {
      return void res.writeHead(404, { 'x-error-code': 'RevisionNotFound' }).end('Revision not found');
    }
    const data = files.get(file);
    if (data === undefined) {
      const headers: Record<string, string> = { 'x-error-code': 'EntryNotFound' };
      if (faults.dropEntryCommit !== true) headers['x-repo-commit'] = commit;
      return void res.writeHead(404, headers).end('Entry not found');
    }
    if (data.lfs) {
      return void res
        .writeHead(302, {
          location: `${base}/cdn/${data.sha256}`,
          'x-repo-commit': commit,
          'x-linked-etag': `"${data.sha256}"`,
          'x-linked-size': String(data.bytes.length),
          etag: `"${data.pointerSha1}"`,
        })
        .end();
    }
    return sendBytes(req, res, file, data, { etag: `"${data.gitSha1}"`, 'x-repo-commit': commit });
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    faults,
    commitOf,
    close: () =>
      new Promise<void>((resolvePromise, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolvePromise()));
      }),
  };
}
