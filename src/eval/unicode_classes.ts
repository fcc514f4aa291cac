/**
 * Python's Unicode character classes written as JavaScript `u`-mode regex fragments. Each was
 * checked against Python (the `regex` module, flags IGNORECASE|UNICODE|MULTILINE) over every code
 * point: the sets are identical on Node's Unicode 17 tables.
 */

/** `\w` of Python's `regex` module (UTS #18 word characters). */
export const PY_WORD_CHARS = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';

/** `\s` of Python's `regex` module: the White_Space property (25 code points). */
export const PY_REGEX_SPACE = '\\p{White_Space}';

/** `\d` of Python's `regex` module. */
export const PY_DIGIT = '\\p{Nd}';

/**
 * What `str.split()` with no argument splits on (`str.isspace`): White_Space plus the four
 * information separators U+001C..U+001F. JavaScript's `\s` differs (adds U+FEFF, lacks U+0085).
 */
export const PY_STR_WHITESPACE = /[\p{White_Space}\u001c-\u001f]+/u;

/** Python's `string.punctuation`: the 32 ASCII punctuation characters, nothing else. */
export const PY_ASCII_PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
