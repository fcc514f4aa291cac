/**
 * One downloader per blob, across processes: a lock file created with O_EXCL ('wx'), holding
 * {pid, host}; the holder touches it every few seconds. A lock whose holder died on this host, or
 * that nobody touched for STALE_LOCK_MS, is removed. Not Python's lock file (filelock uses flock
 * on `<etag>.lock`, which Node cannot take); a Python download racing ours still cannot corrupt
 * the cache, because the blob is only renamed into place after its hash is verified.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

const STALE_LOCK_MS = 30_000;
const HEARTBEAT_MS = 5_000;
const POLL_MS = 100;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockIsStale(path: string): boolean {
  try {
    const age = Date.now() - statSync(path).mtimeMs;
    if (age > STALE_LOCK_MS) return true;
    const owner = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
    return owner.host === hostname() && typeof owner.pid === 'number' && !pidAlive(owner.pid);
  } catch {
    return false; // vanished or half-written by its creator: look again next poll
  }
}

export async function withBlobLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.replace(/\.lock$/, '.tfjs-dpr.lock');
  mkdirSync(dirname(lock), { recursive: true });
  const id = randomBytes(8).toString('hex');
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), id }));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (lockIsStale(lock)) rmSync(lock, { force: true });
      else await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lock, now, now);
    } catch {
      // the lock was judged stale and removed; the hash check still guards the blob
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    // Remove only our own lock: if ours was judged stale, the file may now be someone else's.
    try {
      if ((JSON.parse(readFileSync(lock, 'utf8')) as { id?: unknown }).id === id) rmSync(lock, { force: true });
    } catch {
      // already gone
    }
  }
}
