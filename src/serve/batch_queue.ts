/**
 * Dynamic batching for the server: requests submit items one by one; the queue runs them in
 * batches through one `run(items)` call at a time, so concurrent questions share one model call.
 *
 * When to run a batch:
 * - idle and nothing recently batched together: at once (next turn of the event loop, so items
 *   submitted in the same turn still join) — a lone request is not delayed;
 * - idle but the last batch held several items (the server is under load): wait up to `maxWaitMs`
 *   for the batch to fill, then run — clients answered by the last batch are sending their next
 *   requests now, and a batch of them costs little more than one;
 * - busy: items wait for the running batch, then the next batch takes up to `maxBatch` of them.
 * The queue is bounded (`maxQueue`): a full queue refuses at once (QueueFullError) rather than
 * letting waits grow without bound. A failing batch is retried item by item, so one bad item fails
 * only its own request.
 */

export class QueueFullError extends Error {
  constructor(
    readonly queue: string,
    readonly depth: number,
  ) {
    super(`the ${queue} queue is full (${depth} waiting); retry shortly.`);
    this.name = 'QueueFullError';
  }
}

export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`the request did not finish within ${ms} ms; retry, or send fewer questions at once.`);
    this.name = 'TimeoutError';
  }
}

export interface BatchQueueOptions<I, O> {
  /** Named in errors and metrics. */
  name: string;
  /** Runs one batch; returns one output per item, in order. */
  run(items: I[]): Promise<O[]>;
  /** Most items per run. */
  maxBatch: number;
  /** Longest wait for a batch to fill while under load (0 never waits). */
  maxWaitMs: number;
  /** Most items waiting (not yet running). */
  maxQueue: number;
  /** Called after every run with its size (for metrics). */
  onBatch?(size: number): void;
}

interface Waiting<I, O> {
  item: I;
  resolve(output: O): void;
  reject(error: unknown): void;
  settled: boolean;
}

/** What the server reads of a queue for metrics and shutdown, whatever its item type. */
export interface QueueState {
  readonly name: string;
  readonly depth: number;
  readonly maxQueue: number;
  readonly busy: boolean;
  drained(): Promise<void>;
}

export class BatchQueue<I, O> implements QueueState {
  private readonly waiting: Array<Waiting<I, O>> = [];
  private running = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private lastBatchSize = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: BatchQueueOptions<I, O>) {
    if (!(options.maxBatch >= 1) || !(options.maxQueue >= 1) || !(options.maxWaitMs >= 0)) {
      throw new RangeError(`BatchQueue ${options.name}: maxBatch and maxQueue must be >= 1 and maxWaitMs >= 0.`);
    }
  }

  get name(): string {
    return this.options.name;
  }

  get maxQueue(): number {
    return this.options.maxQueue;
  }

  /** Items waiting to run (not counting the running batch). */
  get depth(): number {
    return this.waiting.length;
  }

  /** True while a batch runs or items wait. */
  get busy(): boolean {
    return this.running || this.waiting.length > 0;
  }

  /**
   * Queues `item`; resolves with its output. Rejects with QueueFullError when the queue is full,
   * and with `signal.reason` when `signal` aborts first (a queued item is then dropped; a running
   * one finishes but its output is discarded).
   */
  submit(item: I, signal?: AbortSignal): Promise<O> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiting.length >= this.options.maxQueue) return Promise.reject(new QueueFullError(this.options.name, this.waiting.length));
    return new Promise<O>((resolve, reject) => {
      const entry: Waiting<I, O> = { item, resolve, reject, settled: false };
      const onAbort = (): void => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        settle(entry, () => reject(signal!.reason));
      };
      entry.resolve = (output) =>
        settle(
          entry,
          () => resolve(output),
          () => signal?.removeEventListener('abort', onAbort),
        );
      entry.reject = (error) =>
        settle(
          entry,
          () => reject(error),
          () => signal?.removeEventListener('abort', onAbort),
        );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      this.schedule();
    });
  }

  /** Resolves once nothing runs or waits (for graceful shutdown). */
  drained(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.waiting.length === 0) return;
    if (this.waiting.length >= this.options.maxBatch) {
      this.clearTimer();
      void this.runBatch();
      return;
    }
    if (this.timer !== undefined) return;
    const underLoad = this.lastBatchSize > 1 && this.options.maxWaitMs > 0;
    const fire = (): void => {
      this.timer = undefined;
      void this.runBatch();
    };
    this.timer = underLoad ? setTimeout(fire, this.options.maxWaitMs) : setImmediate(fire);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private async runBatch(): Promise<void> {
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    const batch = this.waiting.splice(0, this.options.maxBatch);
    this.lastBatchSize = batch.length;
    try {
      await this.runEntries(batch);
    } finally {
      this.running = false;
      if (this.waiting.length > 0) this.schedule();
      else this.notifyIdle();
    }
  }

  private async runEntries(batch: Array<Waiting<I, O>>): Promise<void> {
    this.options.onBatch?.(batch.length);
    try {
      const outputs = await this.options.run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(outputs[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Which item broke the batch is unknown: run each alone so only its own request fails.
      for (const entry of batch) if (!entry.settled) await this.runEntries([entry]);
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function settle<I, O>(entry: Waiting<I, O>, action: () => void, cleanup?: () => void): void {
  if (entry.settled) return;
  entry.settled = true;
  cleanup?.();
  action();
}
