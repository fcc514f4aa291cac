/**
 * tfjs-dpr: Dense Passage Retrieval on TensorFlow.js, exact against HuggingFace transformers.
 */
export { setBackend, ensureBackend, getBackend, BACKEND_ENV_VAR, type BackendName } from './backend.js';
export { DPRConfig, makeConfig, loadConfig, DPR_CONFIG_DEFAULTS, type DPRConfigFields, type PositionEmbeddingType } from './config.js';
export { DPRError, ConfigError, WeightLoadError, InputError, TokenizerError } from './errors.js';
export { ACTIVATION_NAMES } from './layers/activations.js';
// The TF… names and HF's PyTorch names (DPRQuestionEncoder, …) are the same classes.
export { TFDPRQuestionEncoder, DPRQuestionEncoder, type DPRQuestionEncoderOutput } from './models/question_encoder.js';
export { TFDPRContextEncoder, DPRContextEncoder, type DPRContextEncoderOutput } from './models/context_encoder.js';
export { TFDPRReader, DPRReader, type DPRReaderInputs, type DPRReaderOutput } from './models/reader.js';
export type { DPREncoderOutput } from './models/encoder_model.js';
export type { ModelInputs, OutputOptions, IdMatrix } from './models/inputs.js';
export { SafetensorsFile, writeSafetensors } from './io/safetensors.js';
export { decodeFloat16, encodeFloat16, float16ToFloat32, float32ToFloat16 } from './io/float16.js';
export * from './tokenizers/index.js';
export * from './hub/index.js';
export { EncoderPool, type EncoderPoolOptions } from './pool/encoder_pool.js';
export { convertCheckpoint, type ConvertOptions, type ConvertReport } from './io/convert.js';
export { PytorchCheckpoint } from './io/pytorch_checkpoint.js';
export * from './retrieval/index.js';
export {
  registerNativeKernels,
  unregisterNativeKernels,
  nativeKernelStatus,
  type NativeKernelOptions,
  type NativeKernelStatus,
  // Deprecated aliases of the three above (the kernels were always more than a matMul).
  registerFastMatMul,
  unregisterFastMatMul,
  fastMatMulStatus,
  type FastMatMulStatus,
} from './kernels/native_kernels.js';
export * from './training/index.js';
export { savePretrained } from './models/save_pretrained.js';
export * from './eval/index.js';
