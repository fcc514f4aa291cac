/**
 * A reader for the one Python literal DPR's QA files hold: a list of str, e.g.
 * `['Victor Hugo', "O'Neil", '\u00e9']`. DPR reads it with `eval(row[1])`; here it is parsed as
 * data (never evaluated) with Python's string-literal rules: both quote kinds, `r`/`u` prefixes,
 * adjacent literals concatenated, escapes `\\ \' \" \a \b \f \n \r \t \v \ooo \xhh \uhhhh
 * \Uhhhhhhhh` and backslash-newline; an unknown escape keeps its backslash, as Python does.
 * Also `pythonRepr`, Python's `repr()` of a list of str, for the round-trip property test and for
 * writing DPR-format files.
 */

/** What went wrong and where (0-based offset into the literal); the caller adds file:line. */
export class PythonLiteralError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at column ${offset + 1}`);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};
const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Parses `[str, str, …]` (a trailing comma allowed); anything else throws PythonLiteralError. */
export function parsePythonStringList(text: string): string[] {
  const p = new LiteralParser(text);
  p.skipSpace();
  p.expect('[', 'a list literal starting with [');
  const items: string[] = [];
  for (;;) {
    p.skipSpace();
    if (p.peek() === ']') break;
    items.push(p.stringConcat());
    p.skipSpace();
    if (p.peek() === ',') {
      p.advance();
      continue;
    }
    if (p.peek() !== ']') p.fail(`expected , or ] after item ${items.length} but found ${p.describe()}`);
  }
  p.advance();
  p.skipSpace();
  if (!p.atEnd()) p.fail(`unexpected ${p.describe()} after the closing ]`);
  return items;
}

class LiteralParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  advance(n = 1): void {
    this.pos += n;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  describe(): string {
    return this.atEnd() ? 'the end of the literal' : JSON.stringify(this.text.slice(this.pos, this.pos + 12));
  }

  fail(reason: string, offset = this.pos): never {
    throw new PythonLiteralError(reason, offset);
  }

  expect(c: string, what: string): void {
    if (this.peek() !== c) this.fail(`expected ${what} but found ${this.describe()}`);
    this.advance();
  }

  skipSpace(): void {
    while (/^[ \t\f\r\n]$/.test(this.peek() ?? '')) this.advance();
  }

  /** One item: string literals separated only by whitespace are one str, as in Python. */
  stringConcat(): string {
    let out = this.string();
    for (;;) {
      const save = this.pos;
      this.skipSpace();
      if (!/^[rRuU'"]$/.test(this.peek() ?? '')) {
        this.pos = save;
        return out;
      }
      out += this.string();
    }
  }

  private string(): string {
    const start = this.pos;
    const prefix = /^[rRuUbBfF]{1,2}(?=['"])/.exec(this.text.slice(this.pos, this.pos + 3))?.[0] ?? '';
    if (/[bBfF]/.test(prefix)) this.fail(`a ${prefix}'…' literal is not a plain str`);
    if (prefix.length === 2 && !/^[rR]$/.test(prefix[0]!) && !/^[rR]$/.test(prefix[1]!)) this.fail(`bad string prefix ${prefix}`);
    const raw = /[rR]/.test(prefix);
    this.advance(prefix.length);
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') this.fail(`expected a string literal but found ${this.describe()}`);
    if (this.text.startsWith(quote.repeat(3), this.pos)) this.fail('triple-quoted strings are not supported');
    this.advance();
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '\n' || c === '\r') this.fail('unterminated string literal', start);
      this.advance();
      if (c === quote) return out;
      if (c !== '\\') out += c;
      else if (raw) out += this.rawEscape();
      else out += this.escape();
    }
  }

  /** In a raw string a backslash stays, but still keeps the next character (even a quote) inside. */
  private rawEscape(): string {
    const next = this.peek();
    if (next === undefined) this.fail('unterminated string literal');
    this.advance();
    return `\\${next}`;
  }

  private escape(): string {
    const c = this.peek();
    if (c === undefined) this.fail('unterminated string literal');
    this.advance();
    if (c === '\r' && this.peek() === '\n') this.advance(); // backslash-CRLF is a line continuation too
    if (c === '\r') return '';
    if (SIMPLE_ESCAPES[c] !== undefined) return SIMPLE_ESCAPES[c]!;
    if (/[0-7]/.test(c)) return this.octal(c);
    const length = HEX_ESCAPE_LENGTH[c];
    if (length !== undefined) return this.hex(c, length);
    if (c === 'N') this.fail('\\N{name} escapes are not supported (write the character or \\u escape)', this.pos - 2);
    return `\\${c}`;
  }

  private octal(first: string): string {
    let digits = first;
    while (digits.length < 3 && /[0-7]/.test(this.peek() ?? '')) {
      digits += this.peek();
      this.advance();
    }
    return String.fromCodePoint(parseInt(digits, 8));
  }

  private hex(kind: string, length: number): string {
    const digits = this.text.slice(this.pos, this.pos + length);
    if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits)) this.fail(`truncated \\${kind} escape`, this.pos - 2);
    const cp = parseInt(digits, 16);
    if (cp > 0x10ffff) this.fail(`illegal Unicode character \\${kind}${digits}`, this.pos - 2);
    this.advance(length);
    return String.fromCodePoint(cp);
  }
}

const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** Python's `repr(str)`: quote choice, escapes, and `str.isprintable()` deciding what is kept. */
export function pythonReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === ' ' || !NON_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

/** Python's `repr(list_of_str)`, as DPR's question files were written. */
export function pythonRepr(items: readonly string[]): string {
  return `[${items.map(pythonReprString).join(', ')}]`;
}
