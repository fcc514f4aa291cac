// dpr-native-kernels' GEMM: float32, for tfjs-dpr's matMul kernels, with AVX-512 and AVX2+FMA
// paths chosen at run time and an optional split across threads. Exposed to JavaScript through
// Node-API (C API only, so the binary does not depend on the V8 version).
//
// JS: gemm(a, b, c, bias, batch, m, n, k, transposeA, transposeB, aBatched, bBatched, relu, threads)
//   a, b, c, bias: Float32Array (bias may be null; it has n entries and is added to each row).
//   c[batch, m, n] = op(a)[batch?, m, k] · op(b)[batch?, k, n]; a batch dimension that is not
//   `aBatched`/`bBatched` is broadcast. op() transposes the last two dims when asked.
#include <node_api.h>
#include <immintrin.h>

#include "elementwise.h"
#include "napi_util.h"
#include "isa.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Problem {
  const float* a;
  const float* b;
  float* c;
  const float* bias;
  long m, n, k;
  long rsa, csa, bsa;  // strides of op(a): row, column, batch (0 when broadcast)
  long rsb, csb, bsb;
  bool relu;
};

// Blocking: a KC×NR panel of B stays in L1, the MC×KC block of A in L2, KC×NC of B in L2/L3.
// Tuned on this machine (Xeon, 48 KiB L1d, 2 MiB L2 per core); within ±5% over KC 256–512,
// MC 96–192, NC 768–3072, except NC 3072 with KC 256 (−10% on AVX2 when N = 3072).
#ifndef DPR_GEMM_KC
#define DPR_GEMM_KC 384
#endif
#ifndef DPR_GEMM_MC
#define DPR_GEMM_MC 192
#endif
#ifndef DPR_GEMM_NC
#define DPR_GEMM_NC 1536
#endif
constexpr long KC = DPR_GEMM_KC;
constexpr long MC = DPR_GEMM_MC;  // a multiple of both MRs (6, 12)
constexpr long NC = DPR_GEMM_NC;  // a multiple of both NRs (16, 32)

}  // namespace

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
using V = __m256;
constexpr int VW = 8, NV = 2, MR = 6, NR = 16;
#define VZERO() _mm256_setzero_ps()
#define VLOADU(p) _mm256_loadu_ps(p)
#define VSTOREU(p, v) _mm256_storeu_ps(p, v)
#define VBCAST(x) _mm256_set1_ps(x)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VADD(a, b) _mm256_add_ps(a, b)
#define VMAX(a, b) _mm256_max_ps(a, b)
#include "gemm_kernel.inc"
#undef VZERO
#undef VLOADU
#undef VSTOREU
#undef VBCAST
#undef VFMA
#undef VADD
#undef VMAX
}  // namespace avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma")
namespace avx512 {
using V = __m512;
constexpr int VW = 16, NV = 2, MR = 12, NR = 32;
#define VZERO() _mm512_setzero_ps()
#define VLOADU(p) _mm512_loadu_ps(p)
#define VSTOREU(p, v) _mm512_storeu_ps(p, v)
#define VBCAST(x) _mm512_set1_ps(x)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VADD(a, b) _mm512_add_ps(a, b)
#define VMAX(a, b) _mm512_max_ps(a, b)
#include "gemm_kernel.inc"
#undef VZERO
#undef VLOADU
#undef VSTOREU
#undef VBCAST
#undef VFMA
#undef VADD
#undef VMAX
}  // namespace avx512
#pragma GCC pop_options

namespace {

using dpr::Isa;

const Isa g_isa = dpr::isa();

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    default: return "none";
  }
}

void run_share(const Problem& p, long b0, long b1, long m0, long m1) {
  if (g_isa == Isa::kAvx512) avx512::run_share(p, b0, b1, m0, m1);
  else avx2::run_share(p, b0, b1, m0, m1);
}

long row_quantum() { return g_isa == Isa::kAvx512 ? avx512::MR : avx2::MR; }

// Splits the product across `threads`: whole batches when there are enough of them, else
// contiguous row ranges (multiples of MR) of each matrix. The calling thread takes share 0.
void run(const Problem& p, long batch, int threads) {
  const double flops = 2.0 * batch * p.m * p.n * p.k;
  if (threads > 1 && flops < 4e6) threads = 1;  // thread start-up (~50 µs) would dominate
  std::vector<std::thread> pool;
  if (threads <= 1) {
    run_share(p, 0, batch, 0, p.m);
    return;
  }
  if (batch >= threads) {
    for (int t = 1; t < threads; ++t) {
      pool.emplace_back(run_share, std::cref(p), batch * t / threads, batch * (t + 1) / threads,
                        0L, p.m);
    }
    run_share(p, 0, batch / threads, 0, p.m);
  } else {
    const long q = row_quantum();
    const long units = (p.m + q - 1) / q;
    auto bound = [&](int t) {
      const long r = units * t / threads * q;
      return r < p.m ? r : p.m;
    };
    for (int t = 1; t < threads; ++t) {
      pool.emplace_back(run_share, std::cref(p), 0L, batch, bound(t), bound(t + 1));
    }
    run_share(p, 0, batch, bound(0), bound(1));
  }
  for (auto& th : pool) th.join();
}

// ---- Node-API glue ----

using dpr::get_bool;
using dpr::get_f32;
using dpr::get_long;
using dpr::throw_error;

napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 14) return throw_error(env, "gemm: expected 14 arguments");
  if (g_isa == Isa::kNone) return throw_error(env, "gemm: this CPU has no AVX2+FMA");
  float *a, *b, *c, *bias = nullptr;
  size_t la, lb, lc, lbias = 0;
  if (!get_f32(env, argv[0], &a, &la) || !get_f32(env, argv[1], &b, &lb) ||
      !get_f32(env, argv[2], &c, &lc)) {
    return throw_error(env, "gemm: a, b and c must be Float32Arrays");
  }
  napi_valuetype bias_type;
  napi_typeof(env, argv[3], &bias_type);
  if (bias_type != napi_null && bias_type != napi_undefined && !get_f32(env, argv[3], &bias, &lbias)) {
    return throw_error(env, "gemm: bias must be a Float32Array or null");
  }
  long batch, m, n, k, threads;
  bool ta, tb, a_batched, b_batched, relu;
  if (!get_long(env, argv[4], &batch) || !get_long(env, argv[5], &m) ||
      !get_long(env, argv[6], &n) || !get_long(env, argv[7], &k) || !get_bool(env, argv[8], &ta) ||
      !get_bool(env, argv[9], &tb) || !get_bool(env, argv[10], &a_batched) ||
      !get_bool(env, argv[11], &b_batched) || !get_bool(env, argv[12], &relu) ||
      !get_long(env, argv[13], &threads)) {
    return throw_error(env, "gemm: bad dimension or flag arguments");
  }
  if (batch < 0 || m < 0 || n < 0 || k < 0) return throw_error(env, "gemm: negative dimension");
  const size_t need_a = static_cast<size_t>((a_batched ? batch : 1) * m * k);
  const size_t need_b = static_cast<size_t>((b_batched ? batch : 1) * k * n);
  const size_t need_c = static_cast<size_t>(batch * m * n);
  if (la < need_a || lb < need_b || lc < need_c || (bias != nullptr && lbias < static_cast<size_t>(n))) {
    return throw_error(env, "gemm: an array is shorter than its dimensions require");
  }
  Problem p;
  p.a = a;
  p.b = b;
  p.c = c;
  p.bias = bias;
  p.m = m;
  p.n = n;
  p.k = k;
  // op(a) is m×k; stored as m×k (row-major) or, transposed, as k×m.
  p.rsa = ta ? 1 : k;
  p.csa = ta ? m : 1;
  p.bsa = a_batched ? m * k : 0;
  p.rsb = tb ? 1 : n;
  p.csb = tb ? k : 1;
  p.bsb = b_batched ? k * n : 0;
  p.relu = relu;
  if (batch > 0 && m > 0 && n > 0) {
    if (k == 0) {
      for (size_t i = 0; i < need_c; ++i) {
        float v = bias != nullptr ? bias[i % n] : 0.f;
        c[i] = relu && v < 0.f ? 0.f : v;
      }
    } else {
      run(p, batch, static_cast<int>(threads < 1 ? 1 : threads > 64 ? 64 : threads));
    }
  }
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, isa, hw;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, isa_name(g_isa), NAPI_AUTO_LENGTH, &isa);
  napi_create_uint32(env, std::thread::hardware_concurrency(), &hw);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "hardwareConcurrency", hw);
  return obj;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "gemm", NAPI_AUTO_LENGTH, Gemm, nullptr, &fn);
  napi_set_named_property(env, exports, "gemm", fn);
  napi_create_function(env, "info", NAPI_AUTO_LENGTH, Info, nullptr, &fn);
  napi_set_named_property(env, exports, "info", fn);
  dpr::register_elementwise(env, exports);
  return exports;
}
