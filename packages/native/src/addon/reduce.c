#include "heap.h"
#include "kernels.h"

/*
 * sumOuter(heap, outer, inner, x, out): out[j] = sum over i < outer of x[i * inner + j], i.e. a reduction over
 * the leading axes of a row-major tensor (bias and layer-norm gradients reduce over the batch this way). Row by row,
 * so the inner loop is contiguous and vectorizes; wasm's Sum would transpose the whole tensor first.
 */
static void sum_outer_loop(const float *restrict x, float *restrict out, size_t outer, size_t inner) {
  for (size_t j = 0; j < inner; j++) out[j] = 0.0f;
  for (size_t i = 0; i < outer; i++) {
    const float *restrict row = x + i * inner;
    for (size_t j = 0; j < inner; j++) out[j] += row[j];
  }
}

napi_value sum_outer(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "localbp-native: sumOuter takes 5 arguments");
    return NULL;
  }
  heap_t heap;
  double outer, inner, x_offset, out_offset;
  if (!heap_from_value(env, argv[0], &heap) || !arg_double(env, argv[1], &outer) || !arg_double(env, argv[2], &inner) ||
      !arg_double(env, argv[3], &x_offset) || !arg_double(env, argv[4], &out_offset)) {
    return NULL;
  }
  if (!(outer >= 1) || !(inner >= 1)) {
    napi_throw_range_error(env, NULL, "localbp-native: sumOuter needs outer and inner sizes of at least 1");
    return NULL;
  }
  const float *x = heap_floats(env, &heap, x_offset, outer * inner);
  float *out = x == NULL ? NULL : heap_floats(env, &heap, out_offset, inner);
  if (out == NULL) return NULL;
  sum_outer_loop(x, out, (size_t)outer, (size_t)inner);
  return NULL;
}
