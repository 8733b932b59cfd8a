#include <math.h>
#include "heap.h"
#include "kernels.h"

/* Activation codes shared with src/activation-code.ts. */
enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_ELU = 3, ACT_LEAKYRELU = 4, ACT_PRELU = 5, ACT_SIGMOID = 6 };

/*
 * matmulEpilogue(heap, outOffset, count, activation, biasOffset, biasCount, alphaOffset, alphaCount, leakyAlpha):
 * one pass over the product: out[i] = act(out[i] + bias[i % biasCount]). The caller checks that bias and prelu
 * weights are trailing blocks of the output shape, so `i % count` is tfjs's broadcast. Offsets < 0 mean absent.
 */
napi_value matmul_epilogue(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 9) {
    napi_throw_type_error(env, NULL, "localbp-native: matmulEpilogue takes 9 arguments");
    return NULL;
  }
  heap_t heap;
  double out_off, count_d, bias_off, bias_count_d, alpha_off, alpha_count_d, leaky;
  int64_t act;
  if (!heap_from_value(env, argv[0], &heap) || !arg_double(env, argv[1], &out_off) ||
      !arg_double(env, argv[2], &count_d) || !arg_int(env, argv[3], &act) || !arg_double(env, argv[4], &bias_off) ||
      !arg_double(env, argv[5], &bias_count_d) || !arg_double(env, argv[6], &alpha_off) ||
      !arg_double(env, argv[7], &alpha_count_d) || !arg_double(env, argv[8], &leaky)) {
    return NULL;
  }
  const size_t count = (size_t)count_d;
  float *out = heap_floats(env, &heap, out_off, count_d);
  if (out == NULL) return NULL;
  const float *bias = NULL;
  size_t bias_count = (size_t)bias_count_d;
  if (bias_off >= 0 && bias_count > 0) {
    bias = heap_floats(env, &heap, bias_off, bias_count_d);
    if (bias == NULL) return NULL;
  }
  const float *alpha = NULL;
  size_t alpha_count = (size_t)alpha_count_d;
  if (act == ACT_PRELU) {
    if (alpha_off < 0 || alpha_count == 0) {
      napi_throw_range_error(env, NULL, "localbp-native: prelu needs its weights");
      return NULL;
    }
    alpha = heap_floats(env, &heap, alpha_off, alpha_count_d);
    if (alpha == NULL) return NULL;
  }
  const float leaky_alpha = (float)leaky;
  size_t bi = 0, ai = 0;  // running i % count without a division per element
  for (size_t i = 0; i < count; i++) {
    float v = out[i];
    if (bias != NULL) {
      v += bias[bi];
      if (++bi == bias_count) bi = 0;
    }
    switch (act) {
      case ACT_RELU: v = v > 0 ? v : 0; break;
      case ACT_RELU6: v = v > 0 ? (v < 6 ? v : 6) : 0; break;
      case ACT_ELU: v = v > 0 ? v : expm1f(v); break;
      case ACT_LEAKYRELU: v = v > 0 ? v : leaky_alpha * v; break;
      case ACT_PRELU: v = v > 0 ? v : alpha[ai] * v; break;
      case ACT_SIGMOID: v = 1.0f / (1.0f + expf(-v)); break;
      default: break;
    }
    if (alpha != NULL && ++ai == alpha_count) ai = 0;
    out[i] = v;
  }
  return NULL;
}
