/**
 * Errors from fetching models by name. One class per thing the caller can act on, each also
 * carrying a `kind` string so a CLI can switch on it without importing every class. Messages say
 * what to do next, like huggingface_hub's `RepositoryNotFoundError` / `LocalEntryNotFoundError`.
 */
import { DPRError } from '../errors.js';

export type HubErrorKind =
  /** The repo, revision or file does not exist (HTTP 404). */
  | 'not-found'
  /** The repo is gated or private and no (valid) token was sent (HTTP 401/403). */
  | 'unauthorized'
  /** Offline mode (localFilesOnly / HF_HUB_OFFLINE) and the cache does not hold what is needed. */
  | 'offline'
  /** Downloaded bytes do not match the size or hash the hub announced. */
  | 'integrity'
  /** The server could not be reached, dropped the connection, or answered with an error. */
  | 'network'
  /** The server answered, but not like the hub does (no commit or ETag header). */
  | 'protocol';

export class HubError extends DPRError {
  readonly kind: HubErrorKind;
  /** HTTP status when the error comes from a response. */
  readonly status: number | undefined;

  constructor(kind: HubErrorKind, message: string, status?: number) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

export class HubNotFoundError extends HubError {
  /** For a file missing from an existing repo: the commit the hub looked at (X-Repo-Commit). */
  readonly entryCommit: string | undefined;

  constructor(message: string, status?: number, entryCommit?: string) {
    super('not-found', message, status);
    this.entryCommit = entryCommit;
  }
}

/**
 * The repo and revision exist but the file does not (X-Error-Code: EntryNotFound), like
 * huggingface_hub's EntryNotFoundError. `entryCommit` is unset when a mirror or proxy dropped
 * the X-Repo-Commit header; the file is still absent.
 */
export class HubEntryNotFoundError extends HubNotFoundError {}

export class HubUnauthorizedError extends HubError {
  constructor(message: string, status?: number) {
    super('unauthorized', message, status);
  }
}

export class HubOfflineError extends HubError {
  constructor(message: string) {
    super('offline', message);
  }
}

export class HubIntegrityError extends HubError {
  constructor(message: string) {
    super('integrity', message);
  }
}

export class HubNetworkError extends HubError {
  constructor(message: string, status?: number) {
    super('network', message, status);
  }
}

export class HubProtocolError extends HubError {
  constructor(message: string) {
    super('protocol', message);
  }
}
