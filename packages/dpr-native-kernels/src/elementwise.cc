// Element-wise kernels for tfjs-dpr's BERT layers: GELU (erf and tanh forms) and LayerNorm
// fused with the residual add, with AVX-512 and AVX2+FMA paths chosen at run time (the same
// choice as the GEMM, see isa.h) and rows split over threads. Registered as custom tfjs kernels
// by src/kernels/fused_elementwise.ts.
//
// JS: unary(op, x, y, n, threads)   y[i] = f(x[i]); op 0 gelu (erf), 1 gelu (tanh), 2 erf, 3 exp
//     addLayerNorm(x, residual, gamma, beta, y, rows, cols, eps, threads)   residual may be null
#include "elementwise.h"
#include "napi_util.h"

#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "isa.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace ew_avx2 {
constexpr int VW = 8;
typedef float V8 __attribute__((vector_size(32)));
static inline V8 fma(V8 a, V8 b, V8 c) { return (V8)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c); }
#include "elementwise_kernel.inc"
}  // namespace ew_avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma")
namespace ew_avx512 {
constexpr int VW = 16;
typedef float V16 __attribute__((vector_size(64)));
static inline V16 fma(V16 a, V16 b, V16 c) { return (V16)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c); }
#include "elementwise_kernel.inc"
}  // namespace ew_avx512
#pragma GCC pop_options

namespace {

// Runs fn(u0, u1) over [0, units) split into `threads` contiguous shares (the calling thread
// takes the first); one thread when each share would be under `min_per_thread` units, where
// starting a thread (~50 µs) would cost more than it saves.
template <class F>
void parallel_for(long units, int threads, long min_per_thread, F fn) {
  if (threads > 1 && units / threads < min_per_thread) {
    threads = static_cast<int>(units / min_per_thread);
  }
  if (threads <= 1) {
    fn(0L, units);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) {
    pool.emplace_back(fn, units * t / threads, units * (t + 1) / threads);
  }
  fn(0L, units / threads);
  for (auto& th : pool) th.join();
}

using dpr::get_f32;
using dpr::get_long;
using dpr::throw_error;

int clamp_threads(long t) { return static_cast<int>(t < 1 ? 1 : t > 64 ? 64 : t); }

napi_value Unary(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 5) return throw_error(env, "unary: expected 5 arguments");
  if (dpr::isa() == dpr::Isa::kNone) return throw_error(env, "unary: this CPU has no AVX2+FMA");
  long op, n, threads;
  float *x, *y;
  size_t lx, ly;
  if (!get_long(env, argv[0], &op) || !get_f32(env, argv[1], &x, &lx) ||
      !get_f32(env, argv[2], &y, &ly) || !get_long(env, argv[3], &n) ||
      !get_long(env, argv[4], &threads)) {
    return throw_error(env, "unary: expected (op, Float32Array x, Float32Array y, n, threads)");
  }
  if (op < 0 || op > 3) return throw_error(env, "unary: unknown op");
  if (n < 0 || lx < static_cast<size_t>(n) || ly < static_cast<size_t>(n)) {
    return throw_error(env, "unary: an array is shorter than n");
  }
  const bool wide = dpr::isa() == dpr::Isa::kAvx512;
  // Shares of whole 64-float blocks keep every thread's vectors aligned to the same boundaries.
  const long block = 64;
  parallel_for((n + block - 1) / block, clamp_threads(threads), 1024, [=](long b0, long b1) {
    const long i0 = b0 * block;
    const long i1 = b1 * block < n ? b1 * block : n;
    if (i1 <= i0) return;
    if (wide) ew_avx512::map_op(static_cast<int>(op), x + i0, y + i0, i1 - i0);
    else ew_avx2::map_op(static_cast<int>(op), x + i0, y + i0, i1 - i0);
  });
  return nullptr;
}

napi_value AddLayerNorm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 9) return throw_error(env, "addLayerNorm: expected 9 arguments");
  if (dpr::isa() == dpr::Isa::kNone) return throw_error(env, "addLayerNorm: this CPU has no AVX2+FMA");
  float *x, *res = nullptr, *gamma, *beta, *y;
  size_t lx, lres = 0, lg, lb, ly;
  long rows, cols, threads;
  double eps;
  napi_valuetype res_type;
  napi_typeof(env, argv[1], &res_type);
  const bool has_res = res_type != napi_null && res_type != napi_undefined;
  if (!get_f32(env, argv[0], &x, &lx) || (has_res && !get_f32(env, argv[1], &res, &lres)) ||
      !get_f32(env, argv[2], &gamma, &lg) || !get_f32(env, argv[3], &beta, &lb) ||
      !get_f32(env, argv[4], &y, &ly) || !get_long(env, argv[5], &rows) ||
      !get_long(env, argv[6], &cols) || napi_get_value_double(env, argv[7], &eps) != napi_ok ||
      !get_long(env, argv[8], &threads)) {
    return throw_error(env, "addLayerNorm: expected (x, residual|null, gamma, beta, y: Float32Array, rows, cols, eps, threads)");
  }
  if (rows < 0 || cols < 1) return throw_error(env, "addLayerNorm: bad rows or cols");
  const size_t total = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  if (lx < total || ly < total || (has_res && lres < total) || lg < static_cast<size_t>(cols) ||
      lb < static_cast<size_t>(cols)) {
    return throw_error(env, "addLayerNorm: an array is shorter than its dimensions require");
  }
  const bool wide = dpr::isa() == dpr::Isa::kAvx512;
  const long min_rows = (65536 + cols - 1) / cols;
  parallel_for(rows, clamp_threads(threads), min_rows, [=](long r0, long r1) {
    if (wide) ew_avx512::add_layer_norm_rows(x, res, gamma, beta, y, cols, eps, r0, r1);
    else ew_avx2::add_layer_norm_rows(x, res, gamma, beta, y, cols, eps, r0, r1);
  });
  return nullptr;
}

}  // namespace

namespace dpr {
void register_elementwise(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "unary", NAPI_AUTO_LENGTH, Unary, nullptr, &fn);
  napi_set_named_property(env, exports, "unary", fn);
  napi_create_function(env, "addLayerNorm", NAPI_AUTO_LENGTH, AddLayerNorm, nullptr, &fn);
  napi_set_named_property(env, exports, "addLayerNorm", fn);
}
}  // namespace dpr
