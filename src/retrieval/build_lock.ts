/**
 * One writer per index directory. A build holds `.NAME.lock` beside `OUT` (beside, not inside, so
 * it stays put while an `overwrite` rebuild swaps directories) holding its pid and host. A second
 * build is refused with "locked by pid N". A lock whose pid is dead on this host is stale (a build
 * killed with SIGKILL, or a crash) and is taken over; a lock from another host is never guessed
 * about. The lock is created with link(2) from a complete temporary file, so it is never seen half
 * written, and taken over by renaming it away (only one of two racing takers wins the rename).
 */
import { hostname } from 'node:os';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';

interface LockHolder {
  pid: number;
  host: string;
  started: string;
}

/** Where the lock of the index directory `outDir` lives. */
export function buildLockPath(outDir: string): string {
  const absolute = resolve(outDir);
  return join(dirname(absolute), `.${basename(absolute)}.lock`);
}

function readHolder(path: string): LockHolder | undefined | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return Number.isSafeInteger(holder.pid) && typeof holder.host === 'string' ? holder : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Moves a stale lock out of the way; puts it back if what was moved turns out to be a live one taken meanwhile. */
function takeOverStale(path: string, stale: LockHolder): void {
  const moved = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, moved);
  } catch {
    return; // another process took it over first; try again from the start
  }
  const holder = readHolder(moved);
  if (typeof holder === 'object' && holder.pid !== stale.pid) {
    try {
      linkSync(moved, path);
    } catch {
      // a third process holds the lock now; ours was the stale one it replaced
    }
  }
  unlinkSync(moved);
}

export class BuildLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly path: string,
    private readonly holder: LockHolder,
  ) {
    // A build stopped by process.exit (the CLI's Ctrl-C handler) leaves no lock behind.
    process.once('exit', this.onExit);
  }

  /** Takes the lock of `outDir`, taking over a stale one; throws InputError naming the holder when it is held. */
  static acquire(outDir: string): BuildLock {
    const path = buildLockPath(outDir);
    const holder: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
    const temp = `${path}.${process.pid}.tmp`;
    for (let attempt = 0; attempt < 5; attempt++) {
      writeFileSync(temp, JSON.stringify(holder) + '\n');
      try {
        linkSync(temp, path);
        return new BuildLock(path, holder);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      } finally {
        unlinkSync(temp);
      }
      const current = readHolder(path);
      if (current === undefined) continue; // released meanwhile
      if (current === 'unreadable') {
        throw new InputError(`${outDir} is locked by ${path}, which cannot be read; if no index build is running, delete it.`);
      }
      if (current.host === holder.host && !isAlive(current.pid)) {
        takeOverStale(path, current);
        continue;
      }
      throw new InputError(
        `${outDir} is locked by pid ${current.pid} on ${current.host} (an index build started ${current.started}); wait for it to finish, ` +
          `or stop it${current.host === holder.host ? '' : ` (if it no longer runs, delete ${path})`}.`,
      );
    }
    throw new InputError(`${outDir}: could not take the build lock ${path}; other builds keep taking it. Try again.`);
  }

  /** Removes the lock if it is still ours; safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    const current = readHolder(this.path);
    if (typeof current === 'object' && current.pid === this.holder.pid && current.started === this.holder.started) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }
}
