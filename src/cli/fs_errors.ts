/**
 * File-system failures as one line naming the path, what went wrong and the fix. Node's own
 * messages name the path only for calls that take one (`open`, `mkdir`), never for writes to an
 * open descriptor, and say "ENOENT" where a user needs "the folder does not exist".
 */
import { InputError } from '../errors.js';

const FS_PROBLEMS: Record<string, { what: string; fix: string }> = {
  ENOENT: { what: 'no such file or directory', fix: 'check the path (its folder must exist)' },
  ENOTDIR: { what: 'a part of the path is not a directory', fix: 'check the path' },
  EISDIR: { what: 'it is a directory', fix: 'give a file path' },
  EEXIST: { what: 'it already exists', fix: 'remove it or choose another path' },
  EACCES: { what: 'permission denied', fix: 'choose a location you may write to, or fix its permissions' },
  EPERM: { what: 'operation not permitted', fix: 'choose a location you may write to, or fix its permissions' },
  EROFS: { what: 'the file system is read-only', fix: 'choose a location on a writable file system' },
  ENOSPC: { what: 'no space left on device', fix: 'free some space or choose another location' },
  EDQUOT: { what: 'disk quota exceeded', fix: 'free some space or choose another location' },
  EMFILE: { what: 'too many open files', fix: 'raise the limit (ulimit -n) or close other programs' },
  EIO: { what: 'an input/output error', fix: 'check the disk' },
};

export type FsError = NodeJS.ErrnoException & { dest?: string };

export function isFsError(e: unknown): e is FsError {
  return e instanceof Error && typeof (e as FsError).code === 'string' && (e as FsError).code! in FS_PROBLEMS;
}

/** `cannot write PATH: the file system is read-only (EROFS); choose …` — or undefined when `e` is not a known file-system error. */
export function describeFsError(e: unknown, path?: string): string | undefined {
  if (!isFsError(e)) return undefined;
  const code = e.code!;
  const { what, fix } = FS_PROBLEMS[code]!;
  const target = path ?? e.path ?? e.dest;
  const action = e.syscall === undefined ? 'use' : (SYSCALL_VERBS[e.syscall] ?? e.syscall);
  return `cannot ${action} ${target ?? '(unnamed file)'}: ${what} (${code}); ${fix}.`;
}

const SYSCALL_VERBS: Record<string, string> = {
  open: 'open',
  write: 'write',
  read: 'read',
  mkdir: 'create directory',
  rename: 'rename to',
  unlink: 'remove',
  rmdir: 'remove',
  fsync: 'write',
  fdatasync: 'write',
  ftruncate: 'write',
  link: 'create',
  scandir: 'list',
  stat: 'read',
  lstat: 'read',
  close: 'write',
};

/** Rethrows a file-system error about an open descriptor as an InputError naming `path`. */
export function withPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const message = describeFsError(e, path);
    if (message === undefined || (e as FsError).code === 'EPIPE') throw e;
    throw new InputError(message);
  }
}
