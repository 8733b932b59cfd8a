#include <math.h>
#include <stdio.h>
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

/*
 * The arguments both entries share: (heap, rows, cols, ...offsets) with `total` arguments in all. Reads the heap and
 * the block's size, then `offsets` byte offsets from argv[3] on and checks that float arrays of `counts[i]`
 * elements fit there (rows·cols, cols or rows elements; -1, -2, -3 stand for those). Returns 0 with a JS error thrown.
 */
static int block_args(napi_env env, napi_callback_info info, const char *name, size_t total, int64_t *rows, int64_t *cols,
                      const int *counts, int arrays, float **views, double *extra) {
  napi_value argv[12];
  size_t argc = 12;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char message[96];
  if (argc < total) {
    snprintf(message, sizeof message, "localbp-native: %s takes %zu arguments", name, total);
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  heap_t heap;
  if (!heap_from_value(env, argv[0], &heap) || !arg_int(env, argv[1], rows) || !arg_int(env, argv[2], cols)) return 0;
  if (*rows < 0 || *cols <= 0) {
    snprintf(message, sizeof message, "localbp-native: %s needs rows >= 0 and cols > 0", name);
    napi_throw_range_error(env, NULL, message);
    return 0;
  }
  const double sizes[3] = {(double)*rows * (double)*cols, (double)*cols, (double)*rows};
  for (int i = 0; i < arrays; i++) {
    double offset;
    if (!arg_double(env, argv[3 + i], &offset)) return 0;
    views[i] = heap_floats(env, &heap, offset, sizes[-counts[i] - 1]);
    if (views[i] == NULL) return 0;
  }
  /* A trailing number argument (epsilon), when the entry has one. */
  return extra == NULL || arg_double(env, argv[3 + arrays], extra);
}

enum { ALL = -1, COLS = -2, ROWS = -3 };

/* layerNormForward(heap, rows, cols, x, gamma, beta, y, mean, rstd, epsilon). */
napi_value layer_norm_forward(napi_env env, napi_callback_info info) {
  static const int counts[6] = {ALL, COLS, COLS, ALL, ROWS, ROWS};
  int64_t rows, cols;
  float *v[6];
  double eps;
  if (!block_args(env, info, "layerNormForward", 10, &rows, &cols, counts, 6, v, &eps)) return NULL;
  layer_norm_rows((size_t)rows, (size_t)cols, v[0], v[1], v[2], (float)eps, v[3], v[4], v[5]);
  return NULL;
}

/* layerNormBackward(heap, rows, cols, dy, x, gamma, mean, rstd, dx, dgamma, dbeta). */
napi_value layer_norm_backward(napi_env env, napi_callback_info info) {
  static const int counts[8] = {ALL, ALL, COLS, ROWS, ROWS, ALL, COLS, COLS};
  int64_t rows, cols;
  float *v[8];
  if (!block_args(env, info, "layerNormBackward", 11, &rows, &cols, counts, 8, v, NULL)) return NULL;
  float *scratch = scratch_floats(env, 2 * (size_t)cols);
  if (scratch == NULL) return NULL;
  layer_norm_grad_rows((size_t)rows, (size_t)cols, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], scratch, scratch + cols);
  return NULL;
}
