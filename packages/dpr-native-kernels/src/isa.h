// The instruction set chosen once per process for all of the addon's kernels, by CPUID:
// AVX-512 (F, DQ, VL) if present, else AVX2+FMA, else none. DPR_NATIVE_ISA=avx2 pins the AVX2
// path, for testing it on an AVX-512 machine (DPR_GEMM_ISA, the name from when the addon was
// only a GEMM, is still read when DPR_NATIVE_ISA is unset).
#pragma once
#include <cstdlib>
#include <cstring>

namespace dpr {

enum class Isa { kNone, kAvx2, kAvx512 };

inline Isa detect_isa() {
  __builtin_cpu_init();
  const char* forced = std::getenv("DPR_NATIVE_ISA");
  if (forced == nullptr) forced = std::getenv("DPR_GEMM_ISA");
  const bool has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool has_avx512 = has_avx2 && __builtin_cpu_supports("avx512f") &&
                          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  if (forced != nullptr && std::strcmp(forced, "avx2") == 0) return has_avx2 ? Isa::kAvx2 : Isa::kNone;
  if (has_avx512) return Isa::kAvx512;
  if (has_avx2) return Isa::kAvx2;
  return Isa::kNone;
}

inline Isa isa() {
  static const Isa chosen = detect_isa();
  return chosen;
}

}  // namespace dpr
