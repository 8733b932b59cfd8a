#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include "heap.h"
#include "kernels.h"

/* Per-environment state: each worker thread loads the addon into its own environment. */
typedef struct {
  float *scratch;
  size_t capacity;
} state_t;

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  state_t *state = (state_t *)data;
  free(state->scratch);
  free(state);
}

float *scratch_floats(napi_env env, size_t count) {
  state_t *state = NULL;
  napi_get_instance_data(env, (void **)&state);
  if (state == NULL) {
    napi_throw_error(env, NULL, "localbp-native: addon state missing");
    return NULL;
  }
  if (count > state->capacity) {
    float *grown = (float *)realloc(state->scratch, count * sizeof(float));
    if (grown == NULL) {
      napi_throw_error(env, NULL, "localbp-native: out of memory for the kernel workspace (im2col, layer norm)");
      return NULL;
    }
    state->scratch = grown;
    state->capacity = count;
  }
  return state->scratch;
}

/* One BLAS thread unless LOCALBP_BLAS_THREADS says otherwise: results then do not depend on the core count. */
static int configure_threads(void) {
  int threads = 1;
  const char *requested = getenv("LOCALBP_BLAS_THREADS");
  if (requested != NULL && *requested != '\0') {
    int parsed = atoi(requested);
    if (parsed > 0) threads = parsed;
  }
  openblas_set_num_threads(threads);
  return openblas_get_num_threads();
}

static napi_value blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, config, core, threads;
  napi_create_object(env, &result);
  const char *config_text = openblas_get_config();
  const char *core_text = openblas_get_corename();
  napi_create_string_utf8(env, config_text ? config_text : "", NAPI_AUTO_LENGTH, &config);
  napi_create_string_utf8(env, core_text ? core_text : "", NAPI_AUTO_LENGTH, &core);
  napi_create_int32(env, openblas_get_num_threads(), &threads);
  napi_set_named_property(env, result, "config", config);
  napi_set_named_property(env, result, "core", core);
  napi_set_named_property(env, result, "threads", threads);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  state_t *state = (state_t *)calloc(1, sizeof(state_t));
  if (state == NULL || napi_set_instance_data(env, state, free_state, NULL) != napi_ok) {
    free(state);
    napi_throw_error(env, NULL, "localbp-native: cannot allocate addon state");
    return NULL;
  }
  configure_threads();
  const napi_property_descriptor functions[] = {
      {"gemmBatch", NULL, gemm_batch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"matmulEpilogue", NULL, matmul_epilogue, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dForward", NULL, conv2d_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dBackpropInput", NULL, conv2d_backprop_input, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dBackpropFilter", NULL, conv2d_backprop_filter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adamwUpdate", NULL, adamw_update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sumOuter", NULL, sum_outer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNormForward", NULL, layer_norm_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNormBackward", NULL, layer_norm_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"blasInfo", NULL, blas_info, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
