/**
 * EncoderPool: a question or context encoder replicated over worker threads, one TensorFlow.js
 * backend each (the wasm backend runs single-threaded in Node, so this is how encoding uses every
 * core). `encode()` validates on the calling thread, splits the batch row-wise into jobs small
 * enough for a worker's wasm heap (memory_bound.ts), spreads them over the workers and returns
 * the vectors in input order.
 *
 * Failures: a worker that exits, crashes or runs out of wasm memory is replaced by a fresh one
 * and its job is retried once (in halves after a memory failure); a job that fails again rejects
 * the call with an error saying what happened. Later calls run on the replacements.
 */
import { availableParallelism } from 'node:os';
import type { BackendName } from '../backend.js';
import { loadConfig, makeConfig, type DPRConfig } from '../config.js';
import { DPRError, InputError } from '../errors.js';
import type { PretrainedOptions } from '../hub/options.js';
import { resolvePretrained } from '../hub/resolve.js';
import { MODEL_FILES } from '../io/model_files.js';
import { GEMM_THREADS_ENV_VAR } from '../kernels/native_kernels.js';
import { checkInputs, type CheckedInputs, type ModelInputs } from '../models/inputs.js';
import { maxRowsPerCall } from './memory_bound.js';
import { PoolWorker, WorkerFailure } from './pool_worker.js';
import type { ModelSource, WorkerInit, EncoderKind } from './protocol.js';

export interface EncoderPoolOptions {
  kind: EncoderKind;
  /** A model directory or hub id, or a config with float32 weights keyed by HF name. */
  source: { dir: string } | { config: Partial<DPRConfig>; weights: Map<string, Float32Array> };
  /** Hub options (revision, cacheDir, localFilesOnly, token, onProgress) when `source.dir` is a hub id. */
  pretrained?: PretrainedOptions;
  /** Number of worker threads; default: the number of cores. */
  workers?: number;
  backend?: BackendName;
  /** Most rows in one worker call; default: what fits the wasm heap for the model and length (maxRowsPerCall). */
  maxRowsPerCall?: number;
}

/** Copies arrays into SharedArrayBuffers so every worker reads the same memory. */
function shareWeights(weights: Map<string, Float32Array>): Array<[string, Float32Array]> {
  return [...weights].map(([name, values]) => {
    const shared = new Float32Array(new SharedArrayBuffer(values.byteLength));
    shared.set(values);
    return [name, shared];
  });
}

/** Rows [start, start + rows) of a checked batch. */
interface Job {
  start: number;
  rows: number;
}

export class EncoderPool {
  private closed = false;

  private constructor(
    private readonly workers: PoolWorker[],
    private readonly spawn: () => PoolWorker,
    readonly config: DPRConfig,
    /** Width of each vector. */
    readonly dim: number,
    /** The backend the workers run on. */
    readonly backend: string,
    /** The backend and kernels the workers compute with, e.g. "wasm/native-avx512". */
    readonly kernels: string,
    private readonly rowLimit: number | undefined,
  ) {}

  static async create(options: EncoderPoolOptions): Promise<EncoderPool> {
    const count = options.workers ?? availableParallelism();
    if (!Number.isInteger(count) || count < 1) {
      throw new InputError(`workers must be a positive integer, got ${options.workers}.`);
    }
    if (options.maxRowsPerCall !== undefined && (!Number.isInteger(options.maxRowsPerCall) || options.maxRowsPerCall < 1)) {
      throw new InputError(`maxRowsPerCall must be a positive integer, got ${options.maxRowsPerCall}.`);
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
    const spawn = () => new PoolWorker(init, env);
    const workers = Array.from({ length: count }, spawn);
    try {
      const ready = await Promise.all(workers.map((w) => w.ready));
      const first = ready[0]!;
      return new EncoderPool(workers, spawn, config, first.dim, first.backend, first.kernels, options.maxRowsPerCall);
    } catch (e) {
      await Promise.all(workers.map((w) => w.retire()));
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
    const limit = this.rowLimit ?? maxRowsPerCall(this.config, seq);
    const rowsPerJob = Math.min(limit, Math.ceil(batch / this.workers.length));
    const out = new Float32Array(batch * this.dim);
    const jobs: Array<Promise<void>> = [];
    for (let start = 0; start < batch; start += rowsPerJob) {
      jobs.push(this.runJob(checked, { start, rows: Math.min(rowsPerJob, batch - start) }, out, true));
    }
    await Promise.all(jobs);
    return out;
  }

  /** Runs one job on the least-loaded live worker; retries it once when the worker dies or runs out of memory. */
  private async runJob(checked: CheckedInputs, job: Job, out: Float32Array, mayRetry: boolean): Promise<void> {
    const { seq } = checked;
    const slice = (values: Int32Array) => values.slice(job.start * seq, (job.start + job.rows) * seq);
    const worker = this.leastLoaded();
    try {
      const vectors = await worker.run({
        batch: job.rows,
        seq,
        inputIds: slice(checked.inputIds),
        attentionMask: slice(checked.attentionMask),
        tokenTypeIds: slice(checked.tokenTypeIds),
      });
      out.set(vectors, job.start * this.dim);
    } catch (e) {
      if (!(e instanceof WorkerFailure) || this.closed) throw e;
      this.replace(worker);
      if (!mayRetry) throw this.givenUp(e, job, seq);
      // After a memory failure the same rows would fail again on a fresh worker: retry them in halves.
      const halves = e.outOfMemory && job.rows > 1 ? splitJob(job) : [job];
      await Promise.all(halves.map((half) => this.runJob(checked, half, out, false)));
    }
  }

  private givenUp(failure: WorkerFailure, job: Job, seq: number): DPRError {
    const what = `${job.rows} row(s) of ${seq} tokens`;
    if (failure.outOfMemory) {
      return new DPRError(
        `encoding ${what} ran out of wasm memory twice (${failure.message}); lower \`maxRowsPerCall\` or the batch size and the input length.`,
      );
    }
    return new DPRError(`an encoder worker failed twice on ${what} (${failure.message}); the pool replaced it, later calls can run.`);
  }

  private leastLoaded(): PoolWorker {
    let best = this.workers[0]!;
    for (const w of this.workers) if (w.load < best.load) best = w;
    return best;
  }

  /** Swaps a dead worker for a fresh one (once: a second failure of the same worker is a no-op). */
  private replace(worker: PoolWorker): void {
    const at = this.workers.indexOf(worker);
    if (at === -1) return;
    this.workers[at] = this.spawn();
    void worker.retire();
  }

  /** Stops the workers. Pending calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.retire()));
  }
}

function splitJob(job: Job): Job[] {
  const first = Math.ceil(job.rows / 2);
  return [
    { start: job.start, rows: first },
    { start: job.start + first, rows: job.rows - first },
  ];
}
