#include <math.h>
#include "heap.h"
#include "kernels.h"

/*
 * Layer normalization over the last axis of a row-major [rows, cols] block, forward and backward, each in one
 * pass per row. Composed from tfjs ops it is ~10 kernels forward and ~20 backward, each a trip through memory;
 * here a row (a few KB) stays in L1 between its passes. Sums run in fixed lanes, so
 * a result never depends on the thread or the stage that computes it.
 */

#define LANES 16

/* Σ a[j]·b[j] (b NULL: Σ a[j]) in LANES fixed partial sums: vectorizes, and the order never varies. */
static float lane_sum(const float *restrict a, const float *restrict b, float shift, size_t n) {
  float acc[LANES] = {0};
  size_t j = 0;
  for (; j + LANES <= n; j += LANES) {
    for (int l = 0; l < LANES; l++) {
      const float d = a[j + l] - shift;
      acc[l] += b ? d * b[j + l] : d;
    }
  }
  float tail = 0;
  for (; j < n; j++) {
    const float d = a[j] - shift;
    tail += b ? d * b[j] : d;
  }
  float sum = 0;
  for (int l = 0; l < LANES; l++) sum += acc[l];
  return sum + tail;
}

/* y = (x - mean) * rstd * gamma + beta, with rstd = 1 / sqrt(var + eps); also writes each row's mean and rstd. */
static void layer_norm_rows(size_t rows, size_t cols, const float *restrict x, const float *restrict gamma,
                            const float *restrict beta, float eps, float *restrict y, float *restrict mean_out,
                            float *restrict rstd_out) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    const float mean = lane_sum(xr, NULL, 0, cols) / (float)cols;
    /* The variance of the centred row (two passes: no cancellation when |mean| is large). */
    float acc[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= cols; j += LANES) {
      for (int l = 0; l < LANES; l++) {
        const float d = xr[j + l] - mean;
        acc[l] += d * d;
      }
    }
    float squares = 0;
    for (; j < cols; j++) squares += (xr[j] - mean) * (xr[j] - mean);
    for (int l = 0; l < LANES; l++) squares += acc[l];
    const float rstd = 1.0f / sqrtf(squares / (float)cols + eps);
    for (j = 0; j < cols; j++) yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
    mean_out[r] = mean;
    rstd_out[r] = rstd;
  }
}

/*
 * With x̂ = (x - mean)·rstd and g = dy·gamma, per row: dx = rstd·(g - mean(g) - x̂·mean(g·x̂));
 * over rows: dgamma = Σ dy·x̂, dbeta = Σ dy, summed in row order. `xhat` and `g` are one row of scratch each.
 */
static void layer_norm_grad_rows(size_t rows, size_t cols, const float *restrict dy, const float *restrict x,
                                 const float *restrict gamma, const float *restrict mean, const float *restrict rstd,
                                 float *restrict dx, float *restrict dgamma, float *restrict dbeta,
                                 float *restrict xhat, float *restrict g) {
  for (size_t j = 0; j < cols; j++) {
    dgamma[j] = 0;
    dbeta[j] = 0;
  }
  for (size_t r = 0; r < rows; r++) {
    const float *dyr = dy + r * cols;
    const float *xr = x + r * cols;
    float *dxr = dx + r * cols;
    const float m = mean[r], s = rstd[r];
    for (size_t j = 0; j < cols; j++) {
      xhat[j] = (xr[j] - m) * s;
      g[j] = dyr[j] * gamma[j];
      dgamma[j] += dyr[j] * xhat[j];
      dbeta[j] += dyr[j];
    }
    const float mean_g = lane_sum(g, NULL, 0, cols) / (float)cols;
    const float mean_gx = lane_sum(g, xhat, 0, cols) / (float)cols;
    for (size_t j = 0; j < cols; j++) dxr[j] = s * (g[j] - mean_g - xhat[j] * mean_gx);
  }
}

/* Reads `count` byte offsets (doubles) from argv into `out`. */
static int offsets_from(napi_env env, napi_value *argv, int count, double *out) {
  for (int i = 0; i < count; i++) {
    if (!arg_double(env, argv[i], &out[i])) return 0;
  }
  return 1;
}

/* layerNormForward(heap, rows, cols, x, gamma, beta, epsilon, y, mean, rstd). */
napi_value layer_norm_forward(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 10) {
    napi_throw_type_error(env, NULL, "localbp-native: layerNormForward takes 10 arguments");
    return NULL;
  }
  heap_t heap;
  int64_t rows, cols;
  double in[3], out[3], eps;
  if (!heap_from_value(env, argv[0], &heap) || !arg_int(env, argv[1], &rows) || !arg_int(env, argv[2], &cols) ||
      !offsets_from(env, argv + 3, 3, in) || !arg_double(env, argv[6], &eps) || !offsets_from(env, argv + 7, 3, out)) {
    return NULL;
  }
  if (rows < 0 || cols <= 0) {
    napi_throw_range_error(env, NULL, "localbp-native: layerNormForward needs rows >= 0 and cols > 0");
    return NULL;
  }
  const double n = (double)rows * (double)cols;
  float *x = heap_floats(env, &heap, in[0], n), *gamma = heap_floats(env, &heap, in[1], (double)cols),
        *beta = heap_floats(env, &heap, in[2], (double)cols), *y = heap_floats(env, &heap, out[0], n),
        *mean = heap_floats(env, &heap, out[1], (double)rows), *rstd = heap_floats(env, &heap, out[2], (double)rows);
  if (!x || !gamma || !beta || !y || !mean || !rstd) return NULL;
  layer_norm_rows((size_t)rows, (size_t)cols, x, gamma, beta, (float)eps, y, mean, rstd);
  return NULL;
}

/* layerNormBackward(heap, rows, cols, dy, x, gamma, mean, rstd, dx, dgamma, dbeta). */
napi_value layer_norm_backward(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 11) {
    napi_throw_type_error(env, NULL, "localbp-native: layerNormBackward takes 11 arguments");
    return NULL;
  }
  heap_t heap;
  int64_t rows, cols;
  double in[5], out[3];
  if (!heap_from_value(env, argv[0], &heap) || !arg_int(env, argv[1], &rows) || !arg_int(env, argv[2], &cols) ||
      !offsets_from(env, argv + 3, 5, in) || !offsets_from(env, argv + 8, 3, out)) {
    return NULL;
  }
  if (rows < 0 || cols <= 0) {
    napi_throw_range_error(env, NULL, "localbp-native: layerNormBackward needs rows >= 0 and cols > 0");
    return NULL;
  }
  const double n = (double)rows * (double)cols;
  float *dy = heap_floats(env, &heap, in[0], n), *x = heap_floats(env, &heap, in[1], n),
        *gamma = heap_floats(env, &heap, in[2], (double)cols), *mean = heap_floats(env, &heap, in[3], (double)rows),
        *rstd = heap_floats(env, &heap, in[4], (double)rows), *dx = heap_floats(env, &heap, out[0], n),
        *dgamma = heap_floats(env, &heap, out[1], (double)cols), *dbeta = heap_floats(env, &heap, out[2], (double)cols);
  if (!dy || !x || !gamma || !mean || !rstd || !dx || !dgamma || !dbeta) return NULL;
  float *scratch = scratch_floats(env, 2 * (size_t)cols);
  if (scratch == NULL) return NULL;
  layer_norm_grad_rows((size_t)rows, (size_t)cols, dy, x, gamma, mean, rstd, dx, dgamma, dbeta, scratch, scratch + cols);
  return NULL;
}
