/**
 * Where a command writes its output file: checked before any work (not a directory, its folder
 * exists, not the input itself — by path or by inode through a link), written beside the target
 * and renamed over it at the end, so a failed run leaves neither a half-written file nor a
 * damaged input.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { withPath } from './fs_errors.js';

/** True when both paths name one existing file: the same path, or the same device and inode. */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** Throws InputError (in flags) when `output` cannot be written or would overwrite one of `inputs`. */
export function checkOutputPath(output: string, outputFlag: string, inputs: ReadonlyArray<{ path: string; flag: string }>): void {
  for (const input of inputs) {
    if (input.path !== '-' && sameFile(input.path, output)) {
      throw new InputError(
        `${outputFlag} ${output} is the input file (${input.flag} ${input.path}); writing it would destroy the input. Choose another ${outputFlag}.`,
      );
    }
  }
  const existing = statOrUndefined(output);
  if (existing?.isDirectory() === true) {
    throw new InputError(`${outputFlag} ${output} is a directory; give a file path, e.g. ${join(output, 'vectors.jsonl')}.`);
  }
  const folder = statOrUndefined(dirname(resolve(output)));
  if (folder === undefined)
    throw new InputError(
      `${outputFlag} ${output}: the folder ${dirname(resolve(output))} does not exist; create it or choose another path.`,
    );
  if (!folder.isDirectory())
    throw new InputError(`${outputFlag} ${output}: ${dirname(resolve(output))} is not a directory; check the path.`);
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A file written through a temporary sibling (`commit` renames it into place, `abort` removes it), or stdout for "-". */
export class OutputFile {
  private readonly temp: string | undefined;
  private fd: number | undefined;
  private committed = false;

  private constructor(readonly path: string) {
    if (path === '-') {
      this.fd = 1;
      return;
    }
    this.temp = `${path}.tmp-${process.pid}`;
    this.fd = withPath(this.temp, () => openSync(this.temp!, 'wx'));
  }

  static open(path: string): OutputFile {
    return new OutputFile(path);
  }

  get name(): string {
    return this.path === '-' ? '<stdout>' : this.path;
  }

  write(text: string): void {
    const data = Buffer.from(text, 'utf8');
    withPath(this.name, () => {
      let written = 0;
      while (written < data.length) written += writeSync(this.fd!, data, written);
    });
  }

  /** Flushes and renames the temporary file into place (nothing to do for stdout). */
  commit(): void {
    if (this.temp === undefined || this.fd === undefined) return;
    const fd = this.fd;
    withPath(this.path, () => {
      fsyncSync(fd);
      closeSync(fd);
      this.fd = undefined;
      renameSync(this.temp!, this.path);
    });
    this.committed = true;
  }

  /** Removes the temporary file when the output was not committed; safe to call always. */
  abort(): void {
    if (this.temp === undefined || this.committed) return;
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
    rmSync(this.temp, { force: true });
  }
}
