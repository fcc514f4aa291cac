{
  "targets": [
    {
      "target_name": "dpr_native_kernels",
      "sources": ["src/gemm.cc", "src/elementwise.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-pthread"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["target_arch!='x64'", { "type": "none" }]
      ]
    }
  ]
}
