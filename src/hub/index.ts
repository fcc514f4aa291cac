/**
 * Models by name: HuggingFace hub downloads into HuggingFace's own cache.
 */
export { resolvePretrained, hubDownload, type ResolveOptions } from './resolve.js';
export { MODEL_FILES, TOKENIZER_FILES, type FileSet } from '../io/model_files.js';
export { splitPretrainedOptions, type PretrainedOptions, type DownloadProgress } from './options.js';
export {
  HubError,
  HubNotFoundError,
  HubEntryNotFoundError,
  HubUnauthorizedError,
  HubOfflineError,
  HubIntegrityError,
  HubNetworkError,
  HubProtocolError,
  type HubErrorKind,
} from './errors.js';
export { hubCacheDir, hubEndpoint, hubOffline, hubToken, hfHome, DEFAULT_ENDPOINT } from './env.js';
export { RepoCache, repoFolderName } from './cache.js';
export { DEFAULT_QUESTION_ENCODER, DEFAULT_CONTEXT_ENCODER, DEFAULT_READER } from './defaults.js';
