/**
 * A directory replaced as a unit: its new files are written into a temporary sibling directory,
 * which is renamed into place only once every file is complete and on disk. Files of the old
 * directory the writer did not produce (a tokenizer's beside a model's, as HF users keep them)
 * are carried over, hard-linked (copied where links are not possible), so saving a model into a
 * directory that holds its tokenizer keeps the tokenizer.
 *
 * Readers see the old directory or the new one, never a half-written file. POSIX has no atomic
 * exchange of two directories, so for the moment between moving the old one aside and renaming
 * the new one in, the path is absent; a failure there puts the old directory back.
 */
import { cpSync, copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { syncDir } from './atomic_file.js';

function uniqueSibling(dir: string, tag: string): string {
  return join(dirname(dir), `.${basename(dir)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Links (else copies) every entry of `from` that `to` does not have yet. */
function carryOver(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const target = join(to, entry.name);
    if (existsSync(target)) continue;
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      cpSync(source, target, { recursive: true, verbatimSymlinks: true });
      continue;
    }
    try {
      linkSync(source, target);
    } catch {
      copyFileSync(source, target);
    }
  }
}

/** Creates or replaces directory `dir` with what `write` puts into the (empty) directory it is given. */
export function writeDirectoryAtomic(dir: string, write: (tmpDir: string) => void): void {
  const target = resolve(dir);
  const exists = existsSync(target);
  if (exists && !statSync(target).isDirectory()) {
    throw new InputError(`${dir} is a file; savePretrained needs a directory path (existing or not).`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = uniqueSibling(target, 'tmp');
  mkdirSync(tmp);
  try {
    write(tmp);
    if (!exists) {
      renameSync(tmp, target);
    } else {
      carryOver(target, tmp);
      const old = uniqueSibling(target, 'old');
      renameSync(target, old);
      try {
        renameSync(tmp, target);
      } catch (e) {
        renameSync(old, target);
        throw e;
      }
      rmSync(old, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  syncDir(dirname(target));
}
