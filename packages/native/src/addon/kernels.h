/* The N-API functions the addon exports, one per kernel family. */
#ifndef LOCALBP_KERNELS_H
#define LOCALBP_KERNELS_H
#include <node_api.h>

napi_value gemm_batch(napi_env env, napi_callback_info info);
napi_value matmul_epilogue(napi_env env, napi_callback_info info);
napi_value conv2d_forward(napi_env env, napi_callback_info info);
napi_value conv2d_backprop_input(napi_env env, napi_callback_info info);
napi_value conv2d_backprop_filter(napi_env env, napi_callback_info info);
napi_value adamw_update(napi_env env, napi_callback_info info);
napi_value sum_outer(napi_env env, napi_callback_info info);
napi_value layer_norm_forward(napi_env env, napi_callback_info info);
napi_value layer_norm_backward(napi_env env, napi_callback_info info);

/* Per-thread (per N-API environment) workspace of im2col and layer norm: worker threads never share one. */
float *scratch_floats(napi_env env, size_t count);

#endif
