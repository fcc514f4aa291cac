/**
 * The parts of tfjs-backend-wasm and tfjs-backend-cpu that the native kernels touch to read and
 * write tensors in place: the wasm heap and its per-tensor offsets, the cpu backend's TypedArrays,
 * and each backend's way of allocating an output.
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface WasmBackendLike {
  wasm: { HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

export interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}
