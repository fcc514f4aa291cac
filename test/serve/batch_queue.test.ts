/**
 * The server's dynamic batching: concurrent items share one run, a lone item runs at once, the
 * batch and the queue are bounded, aborted items are dropped, and a failing batch fails only the
 * item that broke it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchQueue, QueueFullError, TimeoutError } from '../../src/serve/batch_queue.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A queue that doubles numbers, records each batch, and takes `runMs` per run. */
function doubler(
  options: { maxBatch?: number; maxQueue?: number; maxWaitMs?: number; runMs?: number; failOn?: number; gate?: Promise<void> } = {},
) {
  const batches: number[][] = [];
  const queue = new BatchQueue<number, number>({
    name: 'test',
    maxBatch: options.maxBatch ?? 8,
    maxQueue: options.maxQueue ?? 100,
    maxWaitMs: options.maxWaitMs ?? 0,
    run: async (items) => {
      batches.push([...items]);
      if (options.gate) await options.gate;
      if (options.runMs) await sleep(options.runMs);
      if (options.failOn !== undefined && items.includes(options.failOn)) throw new Error(`cannot double ${options.failOn}`);
      return items.map((x) => 2 * x);
    },
  });
  return { queue, batches };
}

describe('BatchQueue', () => {
  test('items submitted together run as one batch, outputs in order', async () => {
    const { queue, batches } = doubler();
    const out = await Promise.all([1, 2, 3, 4].map((x) => queue.submit(x)));
    assert.deepEqual(out, [2, 4, 6, 8]);
    assert.deepEqual(batches, [[1, 2, 3, 4]]);
  });

  test('a lone item is not held back waiting for company', async () => {
    const { queue, batches } = doubler({ maxWaitMs: 1000 });
    const started = performance.now();
    assert.equal(await queue.submit(5), 10);
    // Far below maxWaitMs: the window only opens after a batch of several (load).
    assert.ok(performance.now() - started < 200, `took ${performance.now() - started} ms`);
    assert.deepEqual(batches, [[5]]);
  });

  test('batches hold at most maxBatch; items arriving during a run form the next batch', async () => {
    let open!: () => void;
    const { queue, batches } = doubler({ maxBatch: 3, gate: new Promise<void>((resolve) => (open = resolve)) });
    const first = queue.submit(0);
    await new Promise((resolve) => setImmediate(resolve)); // 0 is running alone now, held by the gate
    const rest = [1, 2, 3, 4, 5, 6, 7].map((x) => queue.submit(x));
    assert.equal(queue.depth, 7);
    open();
    const out = await Promise.all([first, ...rest]);
    assert.deepEqual(out, [0, 2, 4, 6, 8, 10, 12, 14]);
    assert.deepEqual(batches, [[0], [1, 2, 3], [4, 5, 6], [7]]);
  });

  test('under load, an idle queue waits up to maxWaitMs for a batch to fill', async () => {
    const { queue, batches } = doubler({ maxWaitMs: 30 });
    await Promise.all([1, 2].map((x) => queue.submit(x))); // a batch of two: the queue is now "under load"
    const a = queue.submit(3);
    await sleep(10);
    const b = queue.submit(4);
    assert.deepEqual(await Promise.all([a, b]), [6, 8]);
    assert.deepEqual(batches, [
      [1, 2],
      [3, 4],
    ]);
  });

  test('a full queue refuses at once with QueueFullError', async () => {
    let open!: () => void;
    const { queue } = doubler({ maxBatch: 1, maxQueue: 2, gate: new Promise<void>((resolve) => (open = resolve)) });
    const running = queue.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = [queue.submit(2), queue.submit(3)];
    await assert.rejects(
      queue.submit(4),
      (e: unknown) => e instanceof QueueFullError && /the test queue is full \(2 waiting\)/.test(e.message),
    );
    open();
    assert.deepEqual(await Promise.all([running, ...waiting]), [2, 4, 6]);
  });

  test('an item aborted while queued is dropped and rejects with the abort reason', async () => {
    let open!: () => void;
    const { queue, batches } = doubler({ maxBatch: 1, gate: new Promise<void>((resolve) => (open = resolve)) });
    const running = queue.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const controller = new AbortController();
    const dropped = queue.submit(2, controller.signal);
    const kept = queue.submit(3);
    controller.abort(new TimeoutError(5));
    await assert.rejects(
      dropped,
      (e: unknown) => e instanceof TimeoutError && e.message.startsWith('the request did not finish within 5 ms'),
    );
    open();
    assert.deepEqual(await Promise.all([running, kept]), [2, 6]);
    assert.deepEqual(batches, [[1], [3]]);
  });

  test('a failing batch is retried item by item: only the bad item fails', async () => {
    const { queue, batches } = doubler({ failOn: 13 });
    const results = await Promise.allSettled([11, 12, 13, 14].map((x) => queue.submit(x)));
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [22, 24, 'cannot double 13', 28],
    );
    assert.deepEqual(batches, [[11, 12, 13, 14], [11], [12], [13], [14]]);
    assert.equal(await queue.submit(1), 2, 'the queue keeps serving');
  });

  test('drained() resolves once running and waiting work is done', async () => {
    const { queue } = doubler({ maxBatch: 1, runMs: 10 });
    const work = [1, 2, 3].map((x) => queue.submit(x));
    assert.equal(queue.busy, true);
    await queue.drained();
    assert.equal(queue.busy, false);
    assert.deepEqual(await Promise.all(work), [2, 4, 6]);
  });
});
