// The element-wise kernels' Node-API functions (elementwise.cc), added to the module's exports.
#pragma once
#include <node_api.h>

namespace dpr {
void register_elementwise(napi_env env, napi_value exports);
}  // namespace dpr
