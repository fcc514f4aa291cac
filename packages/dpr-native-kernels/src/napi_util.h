// Node-API argument helpers shared by the GEMM and element-wise entry points.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <string>

namespace dpr {

inline napi_value throw_error(napi_env env, const std::string& msg) {
  napi_throw_error(env, "ERR_DPR_NATIVE_KERNELS", msg.c_str());
  return nullptr;
}

// A Float32Array argument: its data pointer and length (in elements).
inline bool get_f32(napi_env env, napi_value v, float** data, size_t* len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return false;
  napi_typedarray_type type;
  void* ptr = nullptr;
  napi_value ab;
  size_t off = 0;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, &ab, &off) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  *data = static_cast<float*>(ptr);
  return true;
}

inline bool get_long(napi_env env, napi_value v, long* out) {
  int64_t x = 0;
  if (napi_get_value_int64(env, v, &x) != napi_ok) return false;
  *out = static_cast<long>(x);
  return true;
}

inline bool get_bool(napi_env env, napi_value v, bool* out) {
  return napi_get_value_bool(env, v, out) == napi_ok;
}

}  // namespace dpr
