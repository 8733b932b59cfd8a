#include <math.h>
#include "heap.h"
#include "kernels.h"

/*
 * adamwUpdate(heap, count, w, g, m, v, wOut, mOut, vOut, beta1, beta2, decay, lrT, epsilon): one pass of
 * AdamW with decoupled decay over `count` floats (byte offsets into the heap):
 *   m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g²;  w' = decay w - lrT m' / (sqrt(v') + eps).
 * Each operation rounds to float as the composed tfjs ops do, so the result matches them.
 */
/* Outputs are fresh allocations, so nothing aliases: `restrict` lets the loop vectorize (sqrt and divide stay exact). */
static void adamw_loop(const float *restrict w, const float *restrict g, const float *restrict m, const float *restrict v,
                       float *restrict w_out, float *restrict m_out, float *restrict v_out, size_t count, float b1, float c1,
                       float b2, float c2, float decay, float lr, float eps) {
  for (size_t i = 0; i < count; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * (gi * gi);
    m_out[i] = mi;
    v_out[i] = vi;
    w_out[i] = decay * w[i] - (mi / (sqrtf(vi) + eps)) * lr;
  }
}

napi_value adamw_update(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 14) {
    napi_throw_type_error(env, NULL, "localbp-native: adamwUpdate takes 14 arguments");
    return NULL;
  }
  heap_t heap;
  double count_d, offsets[7], beta1, beta2, decay, lr_t, epsilon;
  if (!heap_from_value(env, argv[0], &heap) || !arg_double(env, argv[1], &count_d)) return NULL;
  for (int i = 0; i < 7; i++) {
    if (!arg_double(env, argv[2 + i], &offsets[i])) return NULL;
  }
  if (!arg_double(env, argv[9], &beta1) || !arg_double(env, argv[10], &beta2) || !arg_double(env, argv[11], &decay) ||
      !arg_double(env, argv[12], &lr_t) || !arg_double(env, argv[13], &epsilon)) {
    return NULL;
  }
  float *p[7];
  for (int i = 0; i < 7; i++) {
    p[i] = heap_floats(env, &heap, offsets[i], count_d);
    if (p[i] == NULL) return NULL;
  }
  adamw_loop(p[0], p[1], p[2], p[3], p[4], p[5], p[6], (size_t)count_d, (float)beta1, (float)(1 - beta1), (float)beta2,
             (float)(1 - beta2), (float)decay, (float)lr_t, (float)epsilon);
  return NULL;
}
