/**
 * EncoderPool: a question or context encoder replicated over worker threads, one TensorFlow.js
 * backend each (the wasm backend runs single-threaded in Node, so this is how encoding uses every
 * core). `encode()` validates on the calling thread, splits the batch row-wise over the workers
 * and returns the vectors in input order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../backend.js';
import { loadConfig, makeConfig, type DPRConfig } from '../config.js';
import { ConfigError, DPRError, InputError, WeightLoadError } from '../errors.js';
import type { PretrainedOptions } from '../hub/options.js';
import { resolvePretrained } from '../hub/resolve.js';
import { MODEL_FILES } from '../io/model_files.js';
import { GEMM_THREADS_ENV_VAR } from '../kernels/native_kernels.js';
import { checkInputs, type ModelInputs } from '../models/inputs.js';
import type { EncodeRequest, EncoderKind, ModelSource, WorkerInit, WorkerMessage } from './protocol.js';

export interface EncoderPoolOptions {
  kind: EncoderKind;
  /** A model directory or hub id, or a config with float32 weights keyed by HF name. */
  source: { dir: string } | { config: Partial<DPRConfig>; weights: Map<string, Float32Array> };
  /** Hub options (revision, cacheDir, localFilesOnly, token, onProgress) when `source.dir` is a hub id. */
  pretrained?: PretrainedOptions;
  /** Number of worker threads; default: the number of cores. */
  workers?: number;
  backend?: BackendName;
}

interface PendingTask {
  resolve: (vectors: Float32Array) => void;
  reject: (error: Error) => void;
}

const ERROR_CLASSES: Record<string, new (message: string) => DPRError> = { InputError, ConfigError, WeightLoadError };

function rebuildError(name: string, message: string): Error {
  const Class = ERROR_CLASSES[name];
  return Class !== undefined ? new Class(message) : new DPRError(message);
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

/** Copies arrays into SharedArrayBuffers so every worker reads the same memory. */
function shareWeights(weights: Map<string, Float32Array>): Array<[string, Float32Array]> {
  return [...weights].map(([name, values]) => {
    const shared = new Float32Array(new SharedArrayBuffer(values.byteLength));
    shared.set(values);
    return [name, shared];
  });
}

class PoolWorker {
  private nextId = 0;
  private readonly pending = new Map<number, PendingTask>();
  /** Rows queued on this worker and not answered yet: the scheduler's load measure. */
  load = 0;

  constructor(readonly worker: Worker) {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type !== 'result' && message.type !== 'error') return;
      const task = this.pending.get(message.id);
      if (task === undefined) return;
      this.pending.delete(message.id);
      if (message.type === 'result') task.resolve(message.vectors);
      else task.reject(rebuildError(message.name, message.message));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => this.failAll(new DPRError(`an encoder worker exited (code ${code}) with work pending.`)));
  }

  private failAll(error: Error): void {
    for (const task of this.pending.values()) task.reject(error);
    this.pending.clear();
  }

  run(request: Omit<EncodeRequest, 'id'>): Promise<Float32Array> {
    const id = this.nextId++;
    this.load += request.batch;
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    }).finally(() => {
      this.load -= request.batch;
    });
  }
}

export class EncoderPool {
  private closed = false;

  private constructor(
    private readonly workers: PoolWorker[],
    readonly config: DPRConfig,
    /** Width of each vector. */
    readonly dim: number,
    /** The backend the workers run on. */
    readonly backend: string,
    /** The backend and kernels the workers compute with, e.g. "wasm/native-avx512". */
    readonly kernels: string,
  ) {}

  static async create(options: EncoderPoolOptions): Promise<EncoderPool> {
    const count = options.workers ?? availableParallelism();
    if (!Number.isInteger(count) || count < 1) {
      throw new InputError(`workers must be a positive integer, got ${options.workers}.`);
    }
    const requested = options.source;
    let config: DPRConfig;
    let source: ModelSource;
    if ('dir' in requested) {
      // A hub id is resolved (downloaded if needed) once here, so the workers only read a directory.
      const dir = await resolvePretrained(requested.dir, { files: MODEL_FILES, weights: true, ...options.pretrained });
      config = loadConfig(dir);
      source = { dir };
    } else {
      config = makeConfig(requested.config);
      source = { config: requested.config, weights: shareWeights(requested.weights) };
    }
    const init: WorkerInit = { kind: options.kind, source, ...(options.backend ? { backend: options.backend } : {}) };
    // The cores are shared out: each worker's native GEMM (if built) gets cores / workers threads,
    // unless TFJS_DPR_GEMM_THREADS says otherwise.
    const env: NodeJS.ProcessEnv = { ...process.env };
    env[GEMM_THREADS_ENV_VAR] ??= String(Math.max(1, Math.floor(availableParallelism() / count)));
    const workers = Array.from({ length: count }, () => spawnWorker(init, env));
    try {
      const ready = await Promise.all(workers.map((worker) => new Promise<{ backend: string; dim: number; kernels: string }>((resolve, reject) => {
        const onMessage = (message: WorkerMessage) => {
          if (message.type === 'ready') resolve(message);
          else if (message.type === 'init-error') reject(rebuildError(message.name, message.message));
          else return;
          worker.off('message', onMessage);
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new DPRError(`an encoder worker exited (code ${code}) while loading.`)));
      })));
      const first = ready[0]!;
      return new EncoderPool(workers.map((w) => new PoolWorker(w)), config, first.dim, first.backend, first.kernels);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Encodes one batch; returns [batch × dim] float32 vectors, row-major, in input order. The rows
   * are spread over the workers, so one call of 32 rows keeps every core busy; concurrent calls
   * are queued on the least-loaded workers.
   */
  async encode(inputs: ModelInputs): Promise<Float32Array> {
    if (this.closed) throw new DPRError('the EncoderPool was closed; create a new one.');
    const checked = checkInputs(inputs, this.config, 'non_pad');
    const { batch, seq } = checked;
    const parts = Math.min(this.workers.length, batch);
    const rowsPerPart = Math.ceil(batch / parts);
    const jobs: Array<Promise<Float32Array>> = [];
    const ranked = [...this.workers].sort((a, b) => a.load - b.load);
    for (let p = 0, start = 0; start < batch; p++, start += rowsPerPart) {
      const rows = Math.min(rowsPerPart, batch - start);
      const slice = (values: Int32Array) => values.slice(start * seq, (start + rows) * seq);
      jobs.push(ranked[p]!.run({
        batch: rows,
        seq,
        inputIds: slice(checked.inputIds),
        attentionMask: slice(checked.attentionMask),
        tokenTypeIds: slice(checked.tokenTypeIds),
      }));
    }
    const results = await Promise.all(jobs);
    const out = new Float32Array(batch * this.dim);
    let offset = 0;
    for (const r of results) {
      out.set(r, offset);
      offset += r.length;
    }
    return out;
  }

  /** Stops the workers. Pending calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
