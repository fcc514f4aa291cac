/**
 * Prometheus metrics for GET /metrics, on prom-client (the Prometheus text format, histograms and
 * the standard process metrics — RSS, CPU, event-loop lag — without writing the exposition by
 * hand). Each server has its own registry, so two servers in one process do not mix their counts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'route'>;
  private readonly batchSize: Histogram<'queue'>;

  /** `queueDepth` is read at each scrape: items waiting per queue. */
  constructor(queueDepth: () => ReadonlyMap<string, number>, ready: () => boolean) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'dpr_' });
    this.requests = new Counter({
      name: 'dpr_http_requests_total',
      help: 'HTTP requests answered, by route and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'dpr_http_request_duration_seconds',
      help: 'Time from receiving a request to answering it',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'dpr_batch_size',
      help: 'Items per model call, by queue (dynamic batching)',
      labelNames: ['queue'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers,
    });
    new Gauge({
      name: 'dpr_queue_depth',
      help: 'Items waiting for a model call, by queue',
      labelNames: ['queue'],
      registers,
      collect() {
        for (const [queue, depth] of queueDepth()) this.set({ queue }, depth);
      },
    });
    new Gauge({
      name: 'dpr_ready',
      help: '1 once the models and the index are loaded',
      registers,
      collect() {
        this.set(ready() ? 1 : 0);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ route }, seconds);
  }

  observeBatch(queue: string, size: number): void {
    this.batchSize.observe({ queue }, size);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
