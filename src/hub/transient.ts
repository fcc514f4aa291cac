/**
 * Which failed requests are worth another attempt: a connection reset or a timeout (as
 * huggingface_hub's http_backoff retries ConnectionError and Timeout), not "no such host" or
 * "connection refused", which say the hub is not there and should fall back to the cache at once.
 */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/** Attempts of one HEAD before its failure counts (retried after 0.2 s, then 0.4 s). */
export const HEAD_ATTEMPTS = 3;

/** The system error code behind a failed fetch (ECONNREFUSED, ENOTFOUND…), if any. */
export function causeCode(e: unknown): string | undefined {
  let err: unknown = e;
  for (let depth = 0; depth < 4 && err instanceof Error; depth++) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    err = (err as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isTransient(e: unknown): boolean {
  const code = causeCode(e);
  return (
    (code !== undefined && TRANSIENT_CODES.has(code)) || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'))
  );
}
