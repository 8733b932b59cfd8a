#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include "heap.h"
#include "kernels.h"
#include "share.h"

/* Per-environment state: each worker thread loads the addon into its own environment. */
typedef struct {
  float *scratch;
  size_t capacity;
  /* Whether this thread (a pipeline stage) has said it waits: counted once, and uncounted when the thread ends. */
  int idle;
} state_t;

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  state_t *state = (state_t *)data;
  // A stage worker terminated while it waited must not leave helpers believing a core is free.
  if (state->idle) share_idle(-1);
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
      napi_throw_error(env, NULL, "localbp-native: out of memory for the im2col workspace");
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

/*
 * shareIdle(delta): this stage thread waits for work (+1) or has work again (-1); helpers may use idle cores. Repeats
 * of the thread's current state are ignored.
 */
static napi_value share_idle_fn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t delta = 0;
  if (argc < 1 || !arg_int(env, argv[0], &delta)) return NULL;
  if (delta != 1 && delta != -1) {
    napi_throw_range_error(env, NULL, "localbp-native: shareIdle takes +1 or -1");
    return NULL;
  }
  state_t *state = NULL;
  napi_get_instance_data(env, (void **)&state);
  if (state == NULL) {
    napi_throw_error(env, NULL, "localbp-native: addon state missing");
    return NULL;
  }
  const int idle = delta > 0;
  if (state->idle != idle) {
    state->idle = idle;
    share_idle((int)delta);
  }
  return NULL;
}

/* Blocks of work helper threads have run in this process. */
static napi_value share_stats(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_double(env, (double)share_helped_blocks(), &result);
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
      {"blasInfo", NULL, blas_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"shareIdle", NULL, share_idle_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"helpedBlocks", NULL, share_stats, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
