/**
 * HF `save_pretrained` for the BERT/DPR tokenizers: the files of saved_files.ts, written so that a
 * reader never sees half a tokenizer — into a temporary directory beside the target, renamed into
 * place as a whole when the target does not exist yet, file by file when it does (a model saved
 * there first keeps its files, as with HF). Node-only; the tokenizer classes load it on demand.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TokenizerError } from '../errors.js';
import { syncDir, writeFileAtomic } from '../io/atomic_file.js';
import { tokenizerFiles, tokenizerState, type SavableTokenizer, type TokenizerState } from './saved_files.js';

function directoryExists(path: string): boolean | null {
  try {
    return statSync(path).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Writes `files` into `dir` atomically and durably (io/atomic_file.ts): into a temporary sibling
 * directory first, which is then renamed to `dir` — or, when `dir` already exists, whose files
 * are each renamed into it. Returns the paths written.
 */
function writeDirAtomic(dir: string, files: ReadonlyMap<string, string>): string[] {
  const target = resolve(dir);
  const existing = directoryExists(target);
  if (existing === false) throw new TokenizerError(`${dir} exists and is not a directory; pass a directory path to savePretrained.`);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp);
  try {
    for (const [name, content] of files) writeFileAtomic(join(tmp, name), content);
    if (existing === null && renamedInto(tmp, target)) {
      syncDir(parent);
    } else {
      for (const name of readdirSync(tmp)) renameSync(join(tmp, name), join(target, name));
      syncDir(target);
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return [...files.keys()].map((name) => join(target, name));
}

/** Renames the directory `from` to `to`; false when `to` appeared meanwhile (then its files are moved in one by one). */
function renamedInto(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (e) {
    if (['EEXIST', 'ENOTEMPTY', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return false;
    throw e;
  }
}

/** HF `save_pretrained` of a tokenizer; `settings` are the constructor options only saving needs. Returns the paths written. */
export function saveTokenizer(
  tokenizer: SavableTokenizer,
  settings: Pick<TokenizerState, 'never_split' | 'tokenize_chinese_chars' | 'strip_accents'>,
  dir: string,
): string[] {
  return writeDirAtomic(dir, tokenizerFiles(tokenizerState(tokenizer, settings)));
}
