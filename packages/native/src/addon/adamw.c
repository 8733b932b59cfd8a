#include <math.h>
#include "heap.h"
#include "kernels.h"

/*
 * adamwUpdate(heap, count, w, g, m, v, wOut, mOut, vOut, beta1, beta2, decay, lrT, epsilon): one pass of
 * AdamW with decoupled decay over `count` floats (byte offsets into the heap):
 *   m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g²;  w' = decay w - lrT m' / (sqrt(v') + eps).
 * Each operation rounds to float as the composed tfjs ops do, so the result matches them.
 */
typedef struct {
  float b1, c1, b2, c2, decay, lr, eps;
} adamw_t;

/* One element; inlined into both loops below, whose `restrict` pointers let it vectorize (sqrt and divide stay exact). */
static inline void adamw_element(const adamw_t *k, float w, float g, float m, float v, float *w_out, float *m_out, float *v_out) {
  const float mi = k->b1 * m + k->c1 * g;
  const float vi = k->b2 * v + k->c2 * (g * g);
  *m_out = mi;
  *v_out = vi;
  *w_out = k->decay * w - (mi / (sqrtf(vi) + k->eps)) * k->lr;
}

/* Outputs are fresh allocations (checked below): nothing aliases. */
static void adamw_loop(const adamw_t *k, const float *restrict w, const float *restrict g, const float *restrict m,
                       const float *restrict v, float *restrict w_out, float *restrict m_out, float *restrict v_out, size_t count) {
  for (size_t i = 0; i < count; i++) adamw_element(k, w[i], g[i], m[i], v[i], &w_out[i], &m_out[i], &v_out[i]);
}

/*
 * In place (w, m, v overwritten): each element is read before it is written, and the four arrays are distinct. Half
 * the memory traffic of writing fresh buffers (no write-allocate reads), 1.7x faster on 2M floats here.
 */
static void adamw_loop_in_place(const adamw_t *k, float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                                size_t count) {
  for (size_t i = 0; i < count; i++) adamw_element(k, w[i], g[i], m[i], v[i], &w[i], &m[i], &v[i]);
}

static int overlaps(const float *a, const float *b, double count) {
  return a < b + (size_t)count && b < a + (size_t)count;
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
  const int in_place = p[4] == p[0] && p[5] == p[2] && p[6] == p[3];
  /* Either every output is its input (in place) or no two of the seven arrays share memory. */
  const int arrays = in_place ? 4 : 7;
  for (int i = 0; i < arrays; i++) {
    for (int j = i + 1; j < arrays; j++) {
      if (overlaps(p[i], p[j], count_d)) {
        napi_throw_range_error(env, NULL, "localbp-native: adamwUpdate's arrays overlap");
        return NULL;
      }
    }
  }
  const adamw_t k = {(float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)decay, (float)lr_t, (float)epsilon};
  if (in_place) {
    adamw_loop_in_place(&k, p[0], p[1], p[2], p[3], (size_t)count_d);
  } else {
    adamw_loop(&k, p[0], p[1], p[2], p[3], p[4], p[5], p[6], (size_t)count_d);
  }
  return NULL;
}
