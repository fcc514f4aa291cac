/**
 * `dpr serve` as a library: retrieval and question answering over HTTP. A front door beside the
 * CLI — it composes the library's calls and holds none of their logic.
 */
import { startServer, type DprServer, type ServerOptions } from './server.js';
import { loadServeModels, type ServeModelOptions } from './service.js';

export { startServer, type DprServer, type ServerOptions, type ServerStatus } from './server.js';
export {
  loadServeModels,
  disposeServeModels,
  RetrievalService,
  type BatchingOptions,
  type ServeModelOptions,
  type ServeModels,
} from './service.js';
export { BatchQueue, QueueFullError, TimeoutError, type BatchQueueOptions } from './batch_queue.js';
export { REQUEST_LIMITS } from './schemas.js';

/** Listens at once, loads the index and models named in `options`, and serves them. */
export function serve(options: ServerOptions & ServeModelOptions): Promise<DprServer> {
  return startServer(options, () => loadServeModels(options));
}
