/**
 * `dpr serve` as a user runs it: a separate process on an ephemeral port. SIGTERM while requests
 * are in flight lets every one of them finish, then the process exits 0; a model of the wrong
 * kind is one stderr line in flag terms and exit 1.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/reference.js';
import { READER_MODEL, request, sampleIndexFixture, type ServeFixture } from './fixtures.js';

let fixture: ServeFixture;
before(async () => {
  fixture = await sampleIndexFixture();
});

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Spawns `dpr serve … --port 0` and resolves once it prints that it is ready. */
function spawnServe(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const ready = /^dpr serve: ready on (http:\/\/\S+)$/m.exec(stdout);
      if (ready) resolve({ child, url: ready[1]!, stdout: () => stdout, stderr: () => stderr, exit });
    });
    void exit.then((code) => reject(new Error(`dpr serve exited (${code}) before it was ready: ${stderr}`)));
  });
}

test('SIGTERM during load: every request in flight is answered, then exit 0', async () => {
  const served = await spawnServe(['--index', fixture.index, '--question-model', fixture.questionModel, '--reader-model', READER_MODEL()]);
  try {
    assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const questions = Array.from({ length: 16 }, (_, i) => `question number ${i}: who discovered penicillin?`);
    let signalledAt: number | undefined;
    const answeredAt: number[] = [];
    // The first answer shows the server busy with the rest (the reader reads one question at a time): signal then.
    const inFlight = questions.map(async (question) => {
      const answer = await request<{ question: string; spans: unknown[] }>(served.url, '/ask', { body: { question, k: 10 } });
      answeredAt.push(performance.now());
      if (signalledAt === undefined) {
        signalledAt = performance.now();
        served.child.kill('SIGTERM');
      }
      return answer;
    });
    const answers = await Promise.all(inFlight);
    assert.deepEqual(
      answers.map((a) => a.status),
      questions.map(() => 200),
      served.stderr(),
    );
    answers.forEach((a, i) => assert.equal(a.body.question, questions[i]));
    const afterSignal = answeredAt.filter((t) => t > signalledAt!).length;
    assert.ok(afterSignal >= 8, `only ${afterSignal} requests were answered after SIGTERM: the signal did not land mid-load`);
    assert.equal(await served.exit, 0, served.stderr());
    assert.match(served.stdout(), /dpr serve: SIGTERM: finishing the requests in flight\ndpr serve: stopped\n$/);
    assert.equal(served.stderr(), '');
    // Nothing listens any more.
    await assert.rejects(fetch(served.url + '/health'));
  } finally {
    if (served.child.exitCode === null) served.child.kill('SIGKILL');
  }
});

test('SIGINT when idle: exit 0', async () => {
  const served = await spawnServe(['--index', fixture.index, '--question-model', fixture.questionModel]);
  assert.equal((await request(served.url, '/health')).status, 200);
  served.child.kill('SIGINT');
  assert.equal(await served.exit, 0, served.stderr());
  assert.match(served.stdout(), /dpr serve: SIGINT: finishing the requests in flight\ndpr serve: stopped\n$/);
});

test('a model of the wrong kind: one stderr line naming the flag, exit 1', async () => {
  const r = await runCli(['serve', '--port', '0', '--index', fixture.index, '--question-model', READER_MODEL()]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `dpr serve: --question-model ${READER_MODEL()} is a reader (DPRReader); --question-model must be a question encoder (DPRQuestionEncoder).\n`,
  );
  assert.match(r.stdout, /^dpr serve: listening on http:\/\/127\.0\.0\.1:\d+ \(loading the index and models\)\n$/);
});
