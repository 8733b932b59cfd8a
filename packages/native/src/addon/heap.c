#include "heap.h"
#include <math.h>

int heap_from_value(napi_env env, napi_value value, heap_t *heap) {
  bool is_buffer = false;
  napi_is_arraybuffer(env, value, &is_buffer);
  void *data = NULL;
  size_t length = 0;
  // A SharedArrayBuffer (threaded wasm) is not an ArrayBuffer to N-API on Node 20.
  if (!is_buffer || napi_get_arraybuffer_info(env, value, &data, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "localbp-native: the wasm heap must be a plain ArrayBuffer");
    return 0;
  }
  heap->base = (uint8_t *)data;
  heap->length = length;
  return 1;
}

float *heap_floats(napi_env env, const heap_t *heap, double offset, double count) {
  // Misaligned or out-of-range views would read foreign memory: refuse them.
  if (!(offset >= 0) || !(count >= 0) || offset != floor(offset) || ((uint64_t)offset) % 4 != 0 ||
      offset + count * 4.0 > (double)heap->length) {
    napi_throw_range_error(env, NULL, "localbp-native: tensor view outside the wasm heap");
    return NULL;
  }
  return (float *)(heap->base + (size_t)offset);
}

int arg_double(napi_env env, napi_value value, double *out) {
  if (napi_get_value_double(env, value, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "localbp-native: expected a number");
    return 0;
  }
  return 1;
}

int arg_int(napi_env env, napi_value value, int64_t *out) {
  if (napi_get_value_int64(env, value, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "localbp-native: expected an integer");
    return 0;
  }
  return 1;
}

int arg_bool(napi_env env, napi_value value, int *out) {
  bool flag = false;
  if (napi_get_value_bool(env, value, &flag) != napi_ok) {
    napi_throw_type_error(env, NULL, "localbp-native: expected a boolean");
    return 0;
  }
  *out = flag ? 1 : 0;
  return 1;
}
