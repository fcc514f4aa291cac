/**
 * The stderr progress bar: what one line says, and that it stays silent off a terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProgress, hubProgressReporter, ProgressBar, type ProgressStream } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { out: string[] } {
  const out: string[] = [];
  return { isTTY, ...(columns ? { columns } : {}), out, write: (t: string) => (out.push(t), true) };
}

test('formatProgress: bytes in MB with bar, rate and ETA; counts in their unit; unknown totals', () => {
  const MB = 1024 * 1024;
  assert.equal(
    formatProgress({ label: 'model.safetensors', done: 1 * MB, total: 4 * MB, unit: 'bytes', rate: 0.5 * MB }),
    'model.safetensors  [#####---------------]  1.0/4.0 MB  0.5 MB/s  ETA 0:06',
  );
  assert.equal(
    formatProgress({ label: 'encoding', done: 1200, total: 5000, unit: 'passages', rate: 400 }),
    'encoding  [####----------------]  1200/5000 passages  400 passages/s  ETA 0:10',
  );
  assert.equal(formatProgress({ label: 'x', done: 3 * MB, total: undefined, unit: 'bytes', rate: undefined }), 'x  3.0 MB');
  assert.equal(formatProgress({ label: 'big', done: 0, total: 10_000, unit: 'items', rate: 2 }).endsWith('ETA 1:23:20'), true);
  assert.equal(
    formatProgress({ label: 'done', done: 10, total: 10, unit: 'items', rate: 5 }),
    'done  [####################]  10/10 items  5.0 items/s',
  );
});

test('ProgressBar draws on a terminal, throttled, and ends the line; draws nothing when not a terminal', () => {
  let now = 0;
  const tty = fakeStream(true);
  const bar = new ProgressBar({ label: 'passages', total: 100, unit: 'passages', stream: tty, now: () => now });
  bar.update(0);
  now = 50;
  bar.update(10); // within 100 ms of the last draw: skipped
  now = 1000;
  bar.update(50);
  bar.finish(100);
  assert.equal(tty.out.length, 3);
  assert.equal(tty.out[1], '\rpassages  [##########----------]  50/100 passages  50 passages/s  ETA 0:01\x1b[K');
  assert.ok(tty.out[2]!.endsWith('\n') && tty.out[2]!.includes('100/100'));

  const pipe = fakeStream(false);
  const quiet = new ProgressBar({ label: 'x', total: 10, stream: pipe });
  quiet.update(5);
  quiet.finish(10);
  assert.deepEqual(pipe.out, []);
});

test('ProgressBar cuts the line to the terminal width', () => {
  const tty = fakeStream(true, 20);
  new ProgressBar({ label: 'a-very-long-file-name.safetensors', total: 100, stream: tty }).finish(50);
  assert.equal(tty.out[0], `\r${'a-very-long-file-name.safetensors'.slice(0, 19)}\x1b[K\n`);
});

test('hubProgressReporter: one bar per file; a resumed download measures its rate from where it resumed', () => {
  let now = 0;
  const tty = fakeStream(true);
  const report = hubProgressReporter(tty, () => now);
  const MB = 1024 * 1024;
  const ev = (bytesDone: number, done = false) => ({
    repoId: 'o/n',
    file: 'model.safetensors',
    bytesDone,
    bytesTotal: 4 * MB,
    phase: 'download' as const,
    done,
  });
  report(ev(2 * MB)); // resumed at 2 MB
  now = 1000;
  report(ev(3 * MB));
  now = 2000;
  report(ev(4 * MB, true));
  assert.equal(tty.out.length, 3);
  assert.match(tty.out[1]!, /3\.0\/4\.0 MB {2}1\.0 MB\/s {2}ETA 0:01/);
  assert.match(tty.out[2]!, /4\.0\/4\.0 MB {2}1\.0 MB\/s\x1b\[K\n$/);
});
