/**
 * `dpr` — the command-line entry point. Each subcommand lives in src/cli/commands/<name>.ts
 * (`dpr index` in index_command.ts, since index.ts names a barrel everywhere else) and exports
 * `run(argv): Promise<number>` (the exit code). Errors reach the user as one line on stderr,
 * with the library's option names put as the command's flags (`FLAGS`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package_root.js';
import { describeFsError } from './fs_errors.js';
import { inFlagTerms, type FlagNames } from './option_flags.js';

/** `FLAGS` maps the library's option names in error messages to the command's flags. */
type CommandModule = { run(argv: string[]): Promise<number>; FLAGS?: FlagNames };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  encode: { summary: 'encode texts into vectors (JSONL in, JSONL out)', load: () => import('./commands/encode.js') },
  index: {
    summary: 'build a dense index of a passage corpus (dpr index build), and its BM25 index (dpr index bm25)',
    load: () => import('./commands/index_command.js'),
  },
  search: { summary: 'find the passages that best match questions in an index', load: () => import('./commands/search.js') },
  read: { summary: 'extract answer spans from passages with a DPR reader', load: () => import('./commands/read.js') },
  ask: { summary: 'search an index, then read the top passages for the answer', load: () => import('./commands/ask.js') },
  eval: {
    summary: 'evaluate as DPR does: top-k retrieval accuracy, reader exact match (dpr eval retrieval|reader|ask)',
    load: () => import('./commands/eval.js'),
  },
  serve: {
    summary: 'serve search, answers and vectors over HTTP (models and index loaded once)',
    load: () => import('./commands/serve.js'),
  },
  tokenize: { summary: 'tokenize JSONL texts with a tokenizer directory', load: () => import('./commands/tokenize.js') },
  train: { summary: 'fine-tune a DPR question/context encoder pair on DPR training data', load: () => import('./commands/train.js') },
  convert: {
    summary: 'convert a HF DPR checkpoint (pytorch_model.bin or safetensors) to a loadable directory',
    load: () => import('./commands/convert.js'),
  },
};

function usage(): string {
  const lines = ['usage: dpr <command> [options]', '', 'commands:'];
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${summary}`);
  lines.push('', 'Run `dpr <command> --help` for the options of one command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`dpr (tfjs-dpr) ${packageVersion()}\n`);
    return 0;
  }
  if (name === 'help' && rest.length > 0) return main([rest[0]!, ...rest.slice(1), '--help']);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`dpr: unknown command "${name}". Run \`dpr --help\` for the list.\n`);
    return 2;
  }
  let flags: FlagNames = {};
  try {
    const module = await command.load();
    flags = module.FLAGS ?? {};
    return await module.run(rest);
  } catch (e) {
    // A reader that went away (`dpr search … | head -1`) is not an error: stop quietly, as `head` expects.
    if (isBrokenPipe(e)) return 0;
    const message = describeFsError(e) ?? (e instanceof Error ? e.message : String(e));
    process.stderr.write(`dpr ${name}: ${inFlagTerms(message, flags)}\n`);
    if (process.env['DPR_DEBUG'] && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

function isBrokenPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

// Writes to a closed pipe fail asynchronously on the stream: end the process quietly, exit 0.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
// Whatever is still pending once a command has returned (a worker thread, a socket) must not keep
// the process alive: the command's work is done, so the process ends within seconds regardless.
setTimeout(() => process.exit(), 2000).unref();
