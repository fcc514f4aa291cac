/**
 * The library words its errors in API option names, in backquotes (`` `outDir` ``, or
 * `` `overwrite: true` `` for "set this option"); each command says which flag stands for which
 * option, and the dispatcher rewrites the message in flags before printing its one stderr line.
 */

/** API option name -> the command's flag, e.g. `{ outDir: '--out' }`. */
export type FlagNames = Readonly<Record<string, string>>;

/** `message` with each backquoted option of `flags` replaced by its flag; other text unchanged. */
export function inFlagTerms(message: string, flags: FlagNames): string {
  return message.replace(/`([A-Za-z][A-Za-z0-9]*)(: true)?`/g, (whole, name: string) =>
    Object.hasOwn(flags, name) ? flags[name]! : whole,
  );
}
