/**
 * tfjs-dpr: Dense Passage Retrieval on TensorFlow.js, exact against HuggingFace transformers.
 */
export { setBackend, ensureBackend, getBackend, BACKEND_ENV_VAR, type BackendName } from './backend.js';
export { makeConfig, loadConfig, DPR_CONFIG_DEFAULTS, type DPRConfig, type PositionEmbeddingType } from './config.js';
export { DPRError, ConfigError, WeightLoadError, InputError, TokenizerError } from './errors.js';
export { ACTIVATION_NAMES } from './layers/activations.js';
export { TFDPRQuestionEncoder } from './models/question_encoder.js';
export { TFDPRContextEncoder } from './models/context_encoder.js';
export { TFDPRReader, type DPRReaderInputs, type DPRReaderOutput } from './models/reader.js';
export type { DPREncoderOutput } from './models/encoder_model.js';
export type { ModelInputs, OutputOptions, IdMatrix } from './models/inputs.js';
export { SafetensorsFile, writeSafetensors } from './io/safetensors.js';
export * from './tokenizers/index.js';
export * from './hub/index.js';
export { EncoderPool, type EncoderPoolOptions } from './pool/encoder_pool.js';
export { convertCheckpoint, type ConvertOptions, type ConvertReport } from './io/convert.js';
export { PytorchCheckpoint } from './io/pytorch_checkpoint.js';
export * from './retrieval/index.js';
export { registerFastMatMul, unregisterFastMatMul, fastMatMulStatus, type FastMatMulStatus } from './kernels/fast_matmul.js';
export * from './eval/index.js';
