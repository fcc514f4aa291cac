/**
 * JSON text as Python's `json.dumps(obj, indent=2, sort_keys=True)` writes it — the form of every
 * `config.json` HF's `save_pretrained` writes — so a file saved here is byte for byte the file
 * HF would write for the same values: sorted keys, two-space indent, non-ASCII escaped as \uXXXX,
 * and Python's float repr (`1e-05`, `1.0`, `0.1`). Pure: no `node:` imports.
 *
 * JavaScript has one number type, so the caller says which keys hold Python floats
 * (`floatKeys`); any other number is written as an int when it is integral and as a float otherwise.
 */

/** Python's repr of a float: shortest round-trip digits, fixed for 1e-4 ≤ |x| < 1e16, else scientific. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() with no argument gives the shortest digits that round-trip, as Python's repr does.
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0]}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction.length > 0 ? fraction : '0'}`;
}

/** A JSON string literal with Python's `ensure_ascii` escapes (lowercase hex, UTF-16 units). */
function pythonString(s: string): string {
  const named: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = s.charCodeAt(i);
    if (named[ch] !== undefined) out += named[ch];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function write(value: unknown, indent: string, asFloat: boolean, floatKeys: ReadonlySet<string>): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return asFloat || !Number.isInteger(value) ? pythonFloatRepr(value) : String(value);
  if (typeof value === 'string') return pythonString(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + write(v, inner, asFloat, floatKeys)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) return '{}';
    const lines = entries.map(([k, v]) => `${inner}${pythonString(k)}: ${write(v, inner, floatKeys.has(k), floatKeys)}`);
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  throw new TypeError(`cannot write a ${typeof value} as JSON.`);
}

/** `json.dumps(value, indent=2, sort_keys=True) + "\n"`, numbers under `floatKeys` written as Python floats. */
export function pythonJsonText(value: unknown, floatKeys: ReadonlySet<string> = new Set()): string {
  return `${write(value, '', false, floatKeys)}\n`;
}
