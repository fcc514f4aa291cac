/**
 * One worker thread of an EncoderPool as the pool sees it: spawned with the pool's init, ready
 * once the model is loaded, and able to run jobs. A worker that exits, throws, or reports a wasm
 * memory failure (after which its module is unusable) is marked dead and fails its pending jobs
 * with a `WorkerFailure`; the pool then replaces it.
 */
import { Worker } from 'node:worker_threads';
import { ConfigError, DPRError, InputError, WeightLoadError } from '../errors.js';
import type { EncodeRequest, WorkerInit, WorkerMessage } from './protocol.js';

const ERROR_CLASSES: Record<string, new (message: string) => DPRError> = { InputError, ConfigError, WeightLoadError };

export function rebuildError(name: string, message: string): Error {
  const Class = ERROR_CLASSES[name];
  return Class !== undefined ? new Class(message) : new DPRError(message);
}

/** A job lost because its worker died or ran out of wasm memory: the pool may retry it elsewhere. */
export class WorkerFailure extends Error {
  constructor(
    message: string,
    readonly outOfMemory: boolean,
  ) {
    super(message);
  }
}

/**
 * The worker script next to this file: .js when compiled; .ts when running from sources, where the
 * worker needs the tsx loader itself (Node 20 workers do not inherit `--import` hooks).
 */
function spawnWorker(init: WorkerInit, env: NodeJS.ProcessEnv): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    const script = JSON.stringify(new URL('./encoder_worker.ts', import.meta.url).href);
    const bootstrap = `import(${tsx}).then((api) => { api.register(); return import(${script}); });`;
    return new Worker(bootstrap, { eval: true, workerData: init, env });
  }
  return new Worker(new URL('./encoder_worker.js', import.meta.url), { workerData: init, env });
}

export interface WorkerInfo {
  backend: string;
  dim: number;
  kernels: string;
}

interface PendingTask {
  resolve: (vectors: Float32Array) => void;
  reject: (error: Error) => void;
}

export class PoolWorker {
  private nextId = 0;
  private readonly pending = new Map<number, PendingTask>();
  private retiring = false;
  /** Set once the worker exited, crashed or lost its wasm memory; it takes no more jobs. */
  dead = false;
  /** Rows queued on this worker and not answered yet: the scheduler's load measure. */
  load = 0;
  /** Resolves when the model is loaded; rejects when loading failed. */
  readonly ready: Promise<WorkerInfo>;
  readonly worker: Worker;

  constructor(init: WorkerInit, env: NodeJS.ProcessEnv) {
    this.worker = spawnWorker(init, env);
    this.ready = new Promise<WorkerInfo>((resolve, reject) => {
      this.worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'init-error') reject(rebuildError(message.name, message.message));
        else this.settle(message);
      });
      this.worker.on('error', (error) => {
        reject(error);
        this.die(new WorkerFailure(`an encoder worker crashed: ${error.message}`, false));
      });
      this.worker.on('exit', (code) => {
        reject(new DPRError(`an encoder worker exited (code ${code}) while loading the model.`));
        if (!this.retiring) this.die(new WorkerFailure(`an encoder worker exited (code ${code}) with work pending.`, false));
      });
    });
    // Loading failures are reported by `create` (or by the job that waited for the worker).
    this.ready.catch(() => undefined);
  }

  private settle(message: WorkerMessage): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const task = this.pending.get(message.id);
    if (task === undefined) return;
    this.pending.delete(message.id);
    if (message.type === 'result') task.resolve(message.vectors);
    else if (message.fatal === true) {
      this.die(new WorkerFailure(message.message, true), task);
    } else task.reject(rebuildError(message.name, message.message));
  }

  /** Marks the worker dead and fails every pending job (`first` too, when given). */
  private die(failure: WorkerFailure, first?: PendingTask): void {
    this.dead = true;
    first?.reject(failure);
    for (const task of this.pending.values()) task.reject(failure);
    this.pending.clear();
    void this.retire();
  }

  async run(request: Omit<EncodeRequest, 'id'>): Promise<Float32Array> {
    this.load += request.batch;
    try {
      await this.ready;
      if (this.retiring) throw new DPRError('the EncoderPool was closed while this call was running.');
      if (this.dead) throw new WorkerFailure('an encoder worker died before it got this job.', false);
      const id = this.nextId++;
      return await new Promise<Float32Array>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ ...request, id });
      });
    } finally {
      this.load -= request.batch;
    }
  }

  /** Stops the thread; its exit is then expected, not a failure. Jobs still pending fail. */
  retire(): Promise<number> {
    this.retiring = true;
    this.dead = true;
    for (const task of this.pending.values()) task.reject(new DPRError('the EncoderPool was closed while this call was running.'));
    this.pending.clear();
    return this.worker.terminate();
  }
}
