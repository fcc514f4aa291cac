/**
 * `dpr serve --index DIR --question-model Q [--reader-model R] [--context-model C]`: one process
 * that loads the index and the models once and answers POST /search, /ask and /encode over HTTP
 * (src/serve). This file only turns flags into the server's options and signals into a graceful
 * close.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { packageRoot } from '../../package_root.js';
import { DEFAULT_QUESTION_BATCH_SIZE } from '../../retrieval/defaults.js';
import { serve, type DprServer } from '../../serve/index.js';
import { type CommandSpec, num, parseArgsOrHelp, str } from '../args.js';
import type { FlagNames } from '../option_flags.js';
import { hubProgressReporter } from '../progress.js';

export const FLAGS: FlagNames = {
  index: '--index',
  questionModel: '--question-model',
  readerModel: '--reader-model',
  contextModel: '--context-model',
};

export const TOKEN_ENV_VAR = 'DPR_SERVE_TOKEN';

export const SPEC: CommandSpec = {
  name: 'dpr serve',
  summary: 'Serve search, question answering and encoding over HTTP, the models and the index loaded once.',
  usage: '--index INDEX_DIR --question-model Q [--reader-model R] [--context-model C] [--host 127.0.0.1] [--port 8080] [--token T]',
  options: {
    index: { type: 'string', required: true, value: 'DIR', description: 'an index built by `dpr index build`' },
    'question-model': { type: 'string', required: true, value: 'DIR|HUB_ID', description: 'the question encoder paired with the index' },
    'reader-model': { type: 'string', value: 'DIR|HUB_ID', description: 'a DPR reader, for POST /ask' },
    'context-model': { type: 'string', value: 'DIR|HUB_ID', description: 'a context encoder, for POST /encode with kind "context"' },
    host: {
      type: 'string',
      default: '127.0.0.1',
      value: 'HOST',
      description: 'interface to listen on (0.0.0.0 exposes the server to the network)',
    },
    port: { type: 'integer', min: 0, default: 8080, value: 'PORT', description: 'port to listen on; 0 picks a free one' },
    token: {
      type: 'string',
      value: 'TOKEN',
      description: `require "Authorization: Bearer TOKEN" (default: $${TOKEN_ENV_VAR}; none when unset)`,
    },
    'max-batch': {
      type: 'integer',
      min: 1,
      default: DEFAULT_QUESTION_BATCH_SIZE,
      value: 'N',
      description: 'most questions encoded together',
    },
    'max-wait-ms': {
      type: 'number',
      min: 0,
      default: 2,
      value: 'MS',
      description: 'longest wait for a batch to fill while under load (a lone request never waits)',
    },
    'max-queue': {
      type: 'integer',
      min: 1,
      default: 256,
      value: 'N',
      description: 'most questions waiting per queue; more get 503 + Retry-After',
    },
    'timeout-ms': { type: 'integer', min: 1, default: 30_000, value: 'MS', description: 'a request not answered in time gets 503' },
    'body-limit': { type: 'integer', min: 1, default: 1024 * 1024, value: 'BYTES', description: 'largest request body; larger gets 413' },
  },
  epilog:
    'routes: POST /search, POST /ask, POST /encode, GET /health, GET /metrics, GET /openapi.json\n' +
    'SIGTERM or SIGINT stops accepting, finishes the requests in flight and exits 0.\n\n' +
    'example:\n  dpr serve --index ./sample_index --question-model ./question_encoder --reader-model ./reader --port 8080\n' +
    '  curl -s localhost:8080/search -H \'content-type: application/json\' -d \'{"question": "who discovered penicillin?", "k": 3}\'',
};

export async function run(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(SPEC, argv);
  if (args === undefined) return 0;
  const port = num(args, 'port')!;
  if (port > 65535) throw new InputError(`--port must be at most 65535; got ${port}.`);
  const host = str(args, 'host')!;
  const token = str(args, 'token') ?? process.env[TOKEN_ENV_VAR];
  const readerModel = str(args, 'reader-model');
  const contextModel = str(args, 'context-model');
  const server = await serve({
    index: str(args, 'index')!,
    questionModel: str(args, 'question-model')!,
    ...(readerModel !== undefined ? { readerModel } : {}),
    ...(contextModel !== undefined ? { contextModel } : {}),
    onProgress: hubProgressReporter(),
    host,
    port,
    ...(token !== undefined && token !== '' ? { token } : {}),
    maxBatch: num(args, 'max-batch')!,
    maxWaitMs: num(args, 'max-wait-ms')!,
    maxQueue: num(args, 'max-queue')!,
    requestTimeoutMs: num(args, 'timeout-ms')!,
    bodyLimit: num(args, 'body-limit')!,
    version: packageVersion(),
    onError: (error) =>
      process.stderr.write(`dpr serve: request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
  });
  process.stdout.write(`dpr serve: listening on ${server.url} (loading the index and models)\n`);
  if (token === undefined && !isLoopback(host))
    process.stderr.write(
      `dpr serve: warning: listening on ${host} without a token; anyone who can reach it can use it (set --token or $${TOKEN_ENV_VAR}).\n`,
    );
  const stopped = untilSignal(server);
  try {
    await server.ready;
  } catch (e) {
    await server.close();
    throw e;
  }
  process.stdout.write(`dpr serve: ready on ${server.url}\n`);
  await stopped;
  process.stdout.write('dpr serve: stopped\n');
  return 0;
}

/** Resolves after the first SIGTERM or SIGINT has closed the server gracefully; a second signal exits at once. */
function untilSignal(server: DprServer): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      process.once('SIGTERM', () => process.exit(1)).once('SIGINT', () => process.exit(1));
      process.stdout.write(`dpr serve: ${signal}: finishing the requests in flight\n`);
      void server.close().then(resolve);
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
