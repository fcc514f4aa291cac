/**
 * Character classes of HuggingFace's BERT tokenizer (tokenization_bert.py: `_is_control`,
 * `_is_whitespace`, `_is_punctuation`, `BasicTokenizer._is_chinese_char`) and of Python's
 * `str.isspace` / `str.lower`, by code point.
 *
 * Everything here works on code points, never on UTF-16 units: Python strings are sequences of
 * code points, so a CJK ideograph above U+FFFF is one "Chinese character" there, and a lone
 * surrogate is one character of category Cs (a control character, which the cleaner drops).
 */

const CONTROL = 1;
const WHITESPACE = 2;
const PUNCTUATION = 4;
const CHINESE = 8;
const NONSPACING_MARK = 16;
const PY_SPACE = 32;
const COMPUTED = 128;

const RE_OTHER = /^\p{C}$/u;
const RE_SPACE_SEPARATOR = /^\p{Zs}$/u;
const RE_PUNCTUATION = /^\p{P}$/u;
const RE_NONSPACING_MARK = /^\p{Mn}$/u;

/** Lazily filled flags for every code point (one byte each; 1.1 MB once touched). */
const flags = new Uint8Array(0x110000);

/** The characters Python's `str.isspace()` (and so `str.split()` / `str.strip()`) treats as whitespace. */
const PYTHON_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

function isChineseCodePoint(cp: number): boolean {
  // The CJK Unified Ideographs blocks HF lists; Hangul, Hiragana and Katakana are deliberately not here.
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

function compute(cp: number): number {
  const ch = String.fromCodePoint(cp);
  let f = COMPUTED;
  const isTabOrNewline = cp === 0x09 || cp === 0x0a || cp === 0x0d;
  if (!isTabOrNewline && RE_OTHER.test(ch)) f |= CONTROL;
  if (cp === 0x20 || isTabOrNewline || RE_SPACE_SEPARATOR.test(ch)) f |= WHITESPACE;
  // HF counts every non-alphanumeric ASCII character as punctuation ("^", "$", "`" are not Unicode P*).
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || RE_PUNCTUATION.test(ch)) {
    f |= PUNCTUATION;
  }
  if (isChineseCodePoint(cp)) f |= CHINESE;
  if (RE_NONSPACING_MARK.test(ch)) f |= NONSPACING_MARK;
  if (PYTHON_WHITESPACE.has(cp)) f |= PY_SPACE;
  flags[cp] = f;
  return f;
}

function flagsOf(cp: number): number {
  const f = flags[cp]!;
  return f === 0 ? compute(cp) : f;
}

/** HF `_is_control`: category C*, except tab, newline and carriage return. */
export function isControl(cp: number): boolean {
  return (flagsOf(cp) & CONTROL) !== 0;
}

/** HF `_is_whitespace`: space, tab, newline, carriage return, or category Zs. */
export function isWhitespace(cp: number): boolean {
  return (flagsOf(cp) & WHITESPACE) !== 0;
}

/** HF `_is_punctuation`: all non-alphanumeric ASCII, or category P*. */
export function isPunctuation(cp: number): boolean {
  return (flagsOf(cp) & PUNCTUATION) !== 0;
}

/** HF `_is_chinese_char`: the CJK Unified Ideographs blocks, including those above U+FFFF. */
export function isChineseChar(cp: number): boolean {
  return (flagsOf(cp) & CHINESE) !== 0;
}

/** Category Mn, what `_run_strip_accents` removes after NFD. */
export function isNonspacingMark(cp: number): boolean {
  return (flagsOf(cp) & NONSPACING_MARK) !== 0;
}

/** Python `str.isspace()` for one character: what `str.split()` splits on. */
export function isPythonSpace(cp: number): boolean {
  return (flagsOf(cp) & PY_SPACE) !== 0;
}

const lowerCache = new Map<number, number[]>();

/**
 * Python `str.lower()` of a single character, as code points (one character can become two:
 * U+0130 → "i" + U+0307). Called per character, as HF's pre-lowering regex does, so there is no
 * final-sigma context.
 */
export function lowerCodePoint(cp: number): number[] | number {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp;
  let out = lowerCache.get(cp);
  if (out === undefined) {
    out = [];
    for (const c of String.fromCodePoint(cp).toLowerCase()) out.push(c.codePointAt(0)!);
    lowerCache.set(cp, out);
  }
  return out.length === 1 ? out[0]! : out;
}

const stripCache = new Map<number, number[]>();

/** NFD of one character with the nonspacing marks removed (HF `_run_strip_accents`, per character). */
export function stripAccentsCodePoint(cp: number): number[] | number {
  // Nothing below U+00C0 has a canonical decomposition or is a combining mark.
  if (cp < 0xc0) return cp;
  let out = stripCache.get(cp);
  if (out === undefined) {
    out = [];
    for (const c of String.fromCodePoint(cp).normalize('NFD')) {
      const d = c.codePointAt(0)!;
      if (!isNonspacingMark(d)) out.push(d);
    }
    stripCache.set(cp, out);
  }
  return out.length === 1 ? out[0]! : out;
}

/** HF `_run_strip_accents` on a whole string: NFD, then drop category Mn. */
export function stripAccents(text: string): string {
  let out = '';
  for (const c of text.normalize('NFD')) {
    if (!isNonspacingMark(c.codePointAt(0)!)) out += c;
  }
  return out;
}

/** Python `str.split()` with no argument. */
export function pythonSplit(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const c of text) {
    if (isPythonSpace(c.codePointAt(0)!)) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}
