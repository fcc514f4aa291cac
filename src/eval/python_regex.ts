/**
 * Python `regex`-module patterns (as DPR compiles answer patterns: IGNORECASE|UNICODE|MULTILINE,
 * VERSION0) translated into JavaScript RegExps with the same matches, or refused.
 *
 * The dialects differ in ways that silently change matches, so every construct is rewritten
 * explicitly rather than passed through:
 * - `\w \d \s \b` are Unicode-aware in Python, ASCII (or differently Unicode) in JS: rewritten to
 *   property classes (unicode_classes.ts) and lookarounds.
 * - `.` excludes only `\n` in Python (JS also excludes `\r \u2028 \u2029`); MULTILINE `^`/`$`
 *   break only at `\n`: rewritten to `[^\n]`, `(?<![^\n])`, `(?![^\n])`.
 * - `{,n}`, a `{` that is not a quantifier, `\'`-style escapes, `]` first in a set: legal in
 *   Python, syntax errors in JS `u` mode: rewritten.
 * - Case-insensitive matching of I/ı/İ: Python's tables pair `I` with `ı` as well as `i`; JS does
 *   not. Fixed where JS can express it, refused where it cannot.
 * A pattern Python itself rejects (DPR: "an invalid pattern is no match") is reported as invalid;
 * a valid Python construct with no exact JS equivalent (inline flags other than i/m/u, atomic
 * groups, possessive quantifiers, backreferences, POSIX classes, `\N{…}`, loose property names…)
 * throws an InputError naming it, so a score is never computed from a guessed translation.
 */
import { InputError } from '../errors.js';
import { PY_DIGIT, PY_REGEX_SPACE, PY_WORD_CHARS } from './unicode_classes.js';

export type TranslatedPattern = { valid: true; regexp: RegExp } | { valid: false; reason: string };

/** Python rejects the pattern (re.error): DPR counts it as no match. */
class PythonPatternError extends Error {}

const WORD = `[${PY_WORD_CHARS}]`;
const BOUNDARY = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;
const NOT_BOUNDARY = `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`;
const QUANTIFIER_BRACES = /^\{(\d*)(?:(,)(\d*))?\}/;

/** What the regex module reads as a fuzzy-matching constraint (`{e<=1}`, `{i}`, `{2i+1d<=3}`), not a literal `{`. */
const FUZZY_CONSTRAINT = /^\{(?:\d*[deis]|[^}]*[<=])/;

/** `{m}`, `{m,}`, `{,n}`, `{m,n}` at the start of `text` (at least one number), else null. */
function braceQuantifier(text: string): RegExpExecArray | null {
  const m = QUANTIFIER_BRACES.exec(text);
  return m && (m[1] !== '' || (m[3] ?? '') !== '') ? m : null;
}
const NO_OP_FLAGS = /^[imu]+$/; // already on (DPR compiles with IGNORECASE|UNICODE|MULTILINE)

interface Atom {
  source: string;
  quantifiable: boolean;
}

export function translatePythonRegex(pattern: string): TranslatedPattern {
  try {
    const source = new Translator(pattern).translate();
    return { valid: true, regexp: new RegExp(source, 'iu') };
  } catch (err) {
    if (err instanceof PythonPatternError) return { valid: false, reason: err.message };
    throw err;
  }
}

function hex(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function literal(cp: number): string {
  return /[A-Za-z0-9 ]/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : hex(cp);
}

class Translator {
  private readonly cps: number[];
  private pos = 0;

  constructor(private readonly pattern: string) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  }

  translate(): string {
    const source = this.alternation();
    if (this.pos < this.cps.length) throw new PythonPatternError(`unbalanced parenthesis at position ${this.pos}`);
    return source;
  }

  private refuse(what: string): never {
    throw new InputError(
      `answer pattern ${JSON.stringify(this.pattern)} uses ${what}, which JavaScript's RegExp cannot reproduce exactly as ` +
        `Python's regex module matches it; rewrite that answer pattern or evaluate with match: 'string'.`,
    );
  }

  private peek(offset = 0): string | undefined {
    const cp = this.cps[this.pos + offset];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private rest(): string {
    return String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 40));
  }

  private alternation(): string {
    const branches = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches.join('|');
  }

  private sequence(): string {
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') return out;
      const atom = this.atom();
      const quantifier = this.quantifier();
      if (quantifier !== '' && !atom.quantifiable) this.refuse('a quantifier on an assertion');
      out += quantifier === '' ? atom.source : `(?:${atom.source})${quantifier}`;
    }
  }

  /** Reads `* + ? {m,n}` with an optional lazy `?`; '' when none follows. */
  private quantifier(): string {
    const base = this.baseQuantifier();
    if (base === '') return '';
    let out = base;
    if (this.peek() === '?') {
      this.pos++;
      out += '?';
    } else if (this.peek() === '+') {
      this.refuse('a possessive quantifier');
    }
    if (this.baseQuantifier() !== '') throw new PythonPatternError(`multiple repeat at position ${this.pos}`);
    return out;
  }

  private baseQuantifier(): string {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      return c;
    }
    if (c === '{' && this.rest().startsWith('{,}')) this.refuse('the quantifier {,}');
    if (c === '{' && FUZZY_CONSTRAINT.test(this.rest())) this.refuse('a fuzzy-matching constraint {…}');
    const braces = c === '{' ? braceQuantifier(this.rest()) : null;
    if (!braces) return '';
    this.pos += Array.from(braces[0]).length;
    const [min, comma, max] = [braces[1] === '' ? '0' : braces[1]!, braces[2], braces[3] ?? ''];
    if (comma && max !== '' && Number(min) > Number(max)) throw new PythonPatternError('min repeat greater than max repeat');
    return comma ? `{${min},${max}}` : `{${min}}`;
  }

  private atom(): Atom {
    const c = this.peek()!;
    if (c === '{' && FUZZY_CONSTRAINT.test(this.rest())) this.refuse('a fuzzy-matching constraint {…}');
    if (c === '*' || c === '+' || c === '?' || (c === '{' && braceQuantifier(this.rest()) !== null)) {
      throw new PythonPatternError(`nothing to repeat at position ${this.pos}`);
    }
    this.pos++;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return { source: new ClassTranslator(this).translate(), quantifiable: true };
      case '.':
        return { source: '[^\\n]', quantifiable: true };
      case '^':
        return { source: '(?<![^\\n])', quantifiable: false };
      case '$':
        return { source: '(?![^\\n])', quantifiable: false };
      case '\\':
        return this.escape();
      default:
        return { source: literalWithCaseFix(c.codePointAt(0)!, this), quantifiable: true };
    }
  }

  private group(): Atom {
    let open = '(?:';
    let quantifiable = true;
    if (this.peek() === '?') {
      this.pos++;
      const head = this.rest();
      const lookaround = /^(=|!|<=|<!)/.exec(head);
      const named = /^P?<([^>=!]*)>/.exec(head);
      const flags = /^([A-Za-z]*)(?:-[A-Za-z]+)?([:)])/.exec(head);
      if (head.startsWith(':')) this.pos++;
      else if (lookaround) {
        this.pos += lookaround[1]!.length;
        open = `(?${lookaround[1]}`;
        quantifiable = false;
      } else if (named)
        this.pos += named[0].length; // names only matter to backreferences, which are refused
      else if (head.startsWith('#')) return this.comment();
      else if (flags && NO_OP_FLAGS.test(flags[1]!) && !flags[0].includes('-')) {
        this.pos += flags[0].length;
        if (flags[2] === ')') return { source: '', quantifiable: false };
      } else this.refuse(`the group construct "(?${head.slice(0, 3)}"`);
    }
    const inner = this.alternation();
    if (this.peek() !== ')') throw new PythonPatternError(`missing ) at position ${this.pos}`);
    this.pos++;
    return { source: `${open}${inner})`, quantifiable };
  }

  private comment(): Atom {
    while (this.pos < this.cps.length && this.peek() !== ')') this.pos++;
    if (this.peek() !== ')') throw new PythonPatternError('missing ) after comment');
    this.pos++;
    return { source: '', quantifiable: false };
  }

  private escape(): Atom {
    const c = this.peek();
    if (c === undefined) throw new PythonPatternError('bad escape (end of pattern)');
    this.pos++;
    const classes: Record<string, string> = {
      d: `[${PY_DIGIT}]`,
      D: `[^${PY_DIGIT}]`,
      s: `[${PY_REGEX_SPACE}]`,
      S: `[^${PY_REGEX_SPACE}]`,
      w: WORD,
      W: `[^${PY_WORD_CHARS}]`,
    };
    const assertions: Record<string, string> = { b: BOUNDARY, B: NOT_BOUNDARY, A: '(?<![\\s\\S])', Z: '(?![\\s\\S])' };
    if (classes[c]) return { source: classes[c]!, quantifiable: true };
    if (assertions[c]) return { source: assertions[c]!, quantifiable: false };
    if (c === 'p' || c === 'P') {
      const { body, negated } = this.property(c === 'P');
      const fixed = caseFixedBody(body, this);
      return { source: negated ? `[^${fixed}]` : `[${fixed}]`, quantifiable: true };
    }
    const cp = this.charEscape(c, false);
    return { source: literalWithCaseFix(cp, this), quantifiable: true };
  }

  /** `\p{Name}`, `\p{^Name}`, `\pL`: accepted only when JS knows the exact same spelling. */
  property(negatedByLetter: boolean): { body: string; negated: boolean } {
    let name: string;
    if (this.peek() === '{') {
      const end = this.cps.indexOf(0x7d, this.pos);
      if (end < 0) throw new PythonPatternError('missing } in property');
      name = String.fromCodePoint(...this.cps.slice(this.pos + 1, end));
      this.pos = end + 1;
    } else {
      name = this.peek() ?? '';
      this.pos++;
    }
    const negated = negatedByLetter !== name.startsWith('^');
    name = name.replace(/^\^/, '');
    try {
      new RegExp(`\\p{${name}}`, 'u');
    } catch {
      this.refuse(`the property \\p{${name}} (JavaScript knows no property by that exact name)`);
    }
    return { body: `\\p{${name}}`, negated };
  }

  /** The code point of a single-character escape (after the backslash); refuses what is not one. */
  charEscape(c: string, inClass: boolean): number {
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };
    if (inClass && c === 'b') return 8;
    if (simple[c] !== undefined) return simple[c]!;
    const hexLength: Record<string, number> = { x: 2, u: 4, U: 8 };
    if (hexLength[c] !== undefined) return this.hexEscape(c, hexLength[c]!);
    if (c === '0') return this.octal(0);
    if (/[1-7]/.test(c) && /[0-7]/.test(this.peek() ?? '') && /[0-7]/.test(this.peek(1) ?? '')) return this.octal(Number(c));
    if (/[1-9]/.test(c)) this.refuse('a backreference');
    if (/[A-Za-z]/.test(c)) this.refuse(`the escape \\${c}`);
    return c.codePointAt(0)!;
  }

  private hexEscape(c: string, length: number): number {
    const digits = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + length));
    if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits)) throw new PythonPatternError(`incomplete escape \\${c}${digits}`);
    this.pos += length;
    const cp = parseInt(digits, 16);
    if (cp > 0x10ffff) throw new PythonPatternError(`bad escape \\${c}${digits}`);
    return cp;
  }

  private octal(first: number): number {
    let value = first;
    for (let i = 0; i < 2 && /[0-7]/.test(this.peek() ?? ''); i++) {
      value = value * 8 + Number(this.peek());
      this.pos++;
    }
    if (value > 0o377) throw new PythonPatternError('octal escape value outside of range 0-0o377');
    return value;
  }

  /** For the class translator, which shares the cursor. */
  next(): string | undefined {
    const c = this.peek();
    if (c !== undefined) this.pos++;
    return c;
  }

  lookahead(offset = 0): string | undefined {
    return this.peek(offset);
  }

  fail(message: string): never {
    throw new PythonPatternError(message);
  }

  refuseFeature(what: string): never {
    this.refuse(what);
  }
}

/** `[...]`: Python's set syntax (`]` first is literal, `[` inside is literal) into a JS `u` class. */
class ClassTranslator {
  private readonly items: string[] = [];

  constructor(private readonly t: Translator) {}

  translate(): string {
    const negated = this.t.lookahead() === '^';
    if (negated) this.t.next();
    let first = true;
    for (;;) {
      const c = this.t.next();
      if (c === undefined) this.t.fail('unterminated character set');
      if (c === ']' && !first) break;
      first = false;
      this.item(c);
    }
    const body = caseFixedBody(this.items.join(''), this.t);
    return negated ? `[^${body}]` : `[${body}]`;
  }

  private item(c: string): void {
    if (c === '[' && this.t.lookahead() === ':') this.t.refuseFeature('a POSIX class [:…:]');
    const lo = this.single(c);
    if (lo === null) return;
    if (this.t.lookahead() === '-' && this.t.lookahead(1) !== ']' && this.t.lookahead(1) !== undefined) {
      this.t.next();
      const hi = this.single(this.t.next()!);
      if (hi === null) this.t.refuseFeature('a character range with a class escape as an end');
      if (hi < lo) this.t.fail('bad character range');
      this.items.push(`${hex(lo)}-${hex(hi)}`);
    } else {
      this.items.push(hex(lo));
    }
  }

  /** A single character, or null after pushing a class escape (`\d`, `\p{L}`…) itself. */
  private single(c: string): number | null {
    if (c !== '\\') return c.codePointAt(0)!;
    const e = this.t.next();
    if (e === undefined) this.t.fail('bad escape (end of pattern)');
    const classes: Record<string, string> = {
      d: PY_DIGIT,
      D: `\\P{Nd}`,
      s: PY_REGEX_SPACE,
      S: '\\P{White_Space}',
      w: PY_WORD_CHARS,
    };
    if (classes[e]) {
      this.items.push(classes[e]!);
      return null;
    }
    if (e === 'W') this.t.refuseFeature('\\W inside a set');
    if (e === 'p' || e === 'P') {
      const { body, negated } = this.t.property(e === 'P');
      if (negated) this.t.refuseFeature('a negated property inside a set');
      this.items.push(body);
      return null;
    }
    if (/[A-Z]/.test(e) && e !== 'U') this.t.refuseFeature(`the escape \\${e} inside a set`);
    return this.t.charEscape(e, true);
  }
}

function literalWithCaseFix(cp: number, t: Translator): string {
  if (cp !== 0x49 && cp !== 0x130 && cp !== 0x131) return literal(cp);
  return `[${caseFixedBody(hex(cp), t)}]`;
}

/**
 * Python's IGNORECASE matches a character when any of its case variants is in the set, and its
 * variants are I:{I,i,ı}, i:{i,I,İ}, ı:{ı,I}; JS pairs only I and i. (İ never occurs in the NFD
 * text DPR searches.) Adds ı where Python would match it; refuses sets JS cannot express.
 */
function caseFixedBody(body: string, t: Translator): string {
  const set = new RegExp(`^[${body}]$`, 'u');
  const [upperI, lowerI, dotless, dotted] = ['I', 'i', '\u0131', '\u0130'].map((c) => set.test(c));
  if (upperI && !dotless) return `${body}\\u{131}`;
  if (dotless && !upperI && !lowerI) {
    if (dotted) return `${body}I`;
    t.refuseFeature('a dotless ı without I (Python matches I but not i for it)');
  }
  if (dotted && !upperI && !lowerI && !dotless) t.refuseFeature('a dotted İ without i (Python matches i but not I for it)');
  return body;
}
