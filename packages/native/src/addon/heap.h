/* Float views into a wasm heap handed over as an ArrayBuffer: byte offsets checked against its length. */
#ifndef LOCALBP_HEAP_H
#define LOCALBP_HEAP_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t *base;
  size_t length;
} heap_t;

/* Reads the ArrayBuffer argument; throws a JS error and returns 0 when it is not one. */
int heap_from_value(napi_env env, napi_value value, heap_t *heap);

/* A float pointer at byte `offset` holding `count` floats, or NULL (with a JS error thrown) when out of bounds. */
float *heap_floats(napi_env env, const heap_t *heap, double offset, double count);

/* Argument helpers: throw and return 0 on a wrong type. */
int arg_double(napi_env env, napi_value value, double *out);
int arg_int(napi_env env, napi_value value, int64_t *out);
int arg_bool(napi_env env, napi_value value, int *out);

#endif
