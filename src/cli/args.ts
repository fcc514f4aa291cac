/**
 * A small strict argument parser for the `dpr` subcommands: every option is declared, unknown
 * options are errors, values are checked for type once, and `--help` prints the command's usage.
 *
 * Accepted forms: `--name value`, `--name=value`, `-k value` (declared short names), `--flag`
 * for booleans, and `--` to end options (everything after it is positional).
 */
import { InputError } from '../errors.js';

export type OptionType = 'string' | 'integer' | 'number' | 'boolean';

export interface OptionSpec {
  type: OptionType;
  description: string;
  short?: string;
  required?: boolean;
  /** Shown in the help as the value's name, e.g. DIR or FILE. */
  value?: string;
  /** For integer / number options: the smallest value accepted. */
  min?: number;
  /** For string options: the accepted values. */
  choices?: readonly string[];
  default?: string | number | boolean;
}

export interface CommandSpec {
  /** e.g. "dpr search" */
  name: string;
  summary: string;
  /** Usage line after the command name, e.g. '--model DIR --index DIR [options] "question" …' */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Description of positional arguments; undefined means none are accepted. */
  positionals?: { name: string; description: string; min?: number };
  /** Free text after the option list (examples). */
  epilog?: string;
}

export type OptionValue = string | number | boolean;

export interface ParsedArgs {
  /** true when --help was given: the caller prints `helpText(spec)` and exits 0. */
  help: boolean;
  options: Record<string, OptionValue | undefined>;
  positionals: string[];
}

export function helpText(spec: CommandSpec): string {
  const lines = [`usage: ${spec.name} ${spec.usage}`, '', spec.summary, ''];
  if (spec.positionals !== undefined) {
    lines.push('arguments:', `  ${spec.positionals.name.padEnd(28)} ${spec.positionals.description}`, '');
  }
  lines.push('options:');
  const entries = Object.entries(spec.options);
  entries.push(['help', { type: 'boolean', description: 'show this help and exit', short: 'h' }]);
  for (const [name, option] of entries) {
    const flag =
      (option.short !== undefined ? `-${option.short}, ` : '') +
      `--${name}` +
      (option.type === 'boolean' ? '' : ` ${option.value ?? option.type.toUpperCase()}`);
    let description = option.description;
    if (option.choices !== undefined) description += ` (one of ${option.choices.join(', ')})`;
    if (option.default !== undefined && option.type !== 'boolean') description += ` [default ${String(option.default)}]`;
    if (option.required === true) description += ' (required)';
    lines.push(`  ${flag.padEnd(28)} ${description}`);
  }
  if (spec.epilog !== undefined) lines.push('', spec.epilog);
  return lines.join('\n');
}

function convert(spec: CommandSpec, name: string, option: OptionSpec, raw: string): OptionValue {
  const fix = `Run \`${spec.name} --help\` for the options.`;
  switch (option.type) {
    case 'string':
      if (option.choices !== undefined && !option.choices.includes(raw)) {
        throw new InputError(`--${name} must be one of ${option.choices.join(', ')}; got "${raw}".`);
      }
      return raw;
    case 'integer':
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value) || (option.type === 'integer' && !Number.isInteger(value))) {
        throw new InputError(`--${name} needs ${option.type === 'integer' ? 'a whole number' : 'a number'}; got "${raw}". ${fix}`);
      }
      if (option.min !== undefined && value < option.min) {
        throw new InputError(`--${name} must be at least ${option.min}; got ${value}.`);
      }
      return value;
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new InputError(`--${name} is a flag and takes no value (or =true / =false); got "${raw}".`);
  }
}

/** Parses argv against a command spec; throws InputError naming the problem and the fix. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const byShort = new Map<string, string>();
  for (const [name, option] of Object.entries(spec.options)) if (option.short !== undefined) byShort.set(option.short, name);
  const options: Record<string, OptionValue | undefined> = {};
  const positionals: string[] = [];
  const fix = `Run \`${spec.name} --help\` for the options.`;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
      if (!(name in spec.options)) throw new InputError(`unknown option --${name}. ${fix}`);
    } else if (arg.startsWith('-') && arg.length > 1 && arg !== '-') {
      name = byShort.get(arg.slice(1));
      if (name === undefined) throw new InputError(`unknown option ${arg}. ${fix}`);
    } else {
      positionals.push(arg);
      continue;
    }
    const option = spec.options[name]!;
    if (option.type === 'boolean' && inline === undefined) {
      options[name] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      // A value may itself start with "-" (a negative number, or "-" for stdin), but not "--".
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new InputError(`--${name} needs a value (${option.value ?? option.type}). ${fix}`);
      }
      raw = next;
      i++;
    }
    if (options[name] !== undefined) throw new InputError(`--${name} was given twice; give it once.`);
    options[name] = convert(spec, name, option, raw);
  }
  if (help) return { help, options, positionals };
  for (const [name, option] of Object.entries(spec.options)) {
    if (options[name] === undefined) {
      if (option.required === true) throw new InputError(`--${name} is required. ${fix}`);
      if (option.default !== undefined) options[name] = option.default;
    }
  }
  if (spec.positionals === undefined && positionals.length > 0) {
    throw new InputError(`unexpected argument "${positionals[0]}"; ${spec.name} takes options only. ${fix}`);
  }
  return { help, options, positionals };
}

/** Typed accessors for parsed values (the spec guarantees the type; these narrow it). */
export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}
export function num(args: ParsedArgs, name: string): number | undefined {
  const v = args.options[name];
  return typeof v === 'number' ? v : undefined;
}
export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

/** parseArgs, printing the command's help for --help: undefined then (the command exits 0). */
export function parseArgsOrHelp(spec: CommandSpec, argv: string[]): ParsedArgs | undefined {
  const args = parseArgs(spec, argv);
  if (!args.help) return args;
  process.stdout.write(helpText(spec) + '\n');
  return undefined;
}
