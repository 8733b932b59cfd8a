#include <cblas.h>
#include "heap.h"
#include "kernels.h"

/* Reads a Float64Array of byte offsets (one per batch item). */
static int offsets_arg(napi_env env, napi_value value, const double **out, size_t *length) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  napi_typedarray_type type;
  void *data = NULL;
  if (!is_typed || napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok ||
      type != napi_float64_array) {
    napi_throw_type_error(env, NULL, "localbp-native: offsets must be a Float64Array");
    return 0;
  }
  *out = (const double *)data;
  return 1;
}

/*
 * gemmBatch(heap, transA, transB, m, n, k, aOffsets, bOffsets, cOffsets, beta):
 * C_i = op(A_i)·op(B_i) + beta·C_i on row-major matrices in the heap. The caller resolves batch
 * broadcasting into the offset lists, so a broadcast operand is never materialised.
 */
napi_value gemm_batch(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 10) {
    napi_throw_type_error(env, NULL, "localbp-native: gemmBatch takes 10 arguments");
    return NULL;
  }
  heap_t heap;
  int trans_a, trans_b;
  int64_t m, n, k;
  double beta;
  const double *a_off, *b_off, *c_off;
  size_t na, nb, nc;
  if (!heap_from_value(env, argv[0], &heap) || !arg_bool(env, argv[1], &trans_a) || !arg_bool(env, argv[2], &trans_b) ||
      !arg_int(env, argv[3], &m) || !arg_int(env, argv[4], &n) || !arg_int(env, argv[5], &k) ||
      !offsets_arg(env, argv[6], &a_off, &na) || !offsets_arg(env, argv[7], &b_off, &nb) ||
      !offsets_arg(env, argv[8], &c_off, &nc) || !arg_double(env, argv[9], &beta)) {
    return NULL;
  }
  if (na != nc || nb != nc || m < 0 || n < 0 || k < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    napi_throw_range_error(env, NULL, "localbp-native: gemmBatch got inconsistent sizes");
    return NULL;
  }
  const int lda = trans_a ? (int)m : (int)k;
  const int ldb = trans_b ? (int)k : (int)n;
  for (size_t i = 0; i < nc; i++) {
    float *a = heap_floats(env, &heap, a_off[i], (double)m * (double)k);
    float *b = heap_floats(env, &heap, b_off[i], (double)k * (double)n);
    float *c = heap_floats(env, &heap, c_off[i], (double)m * (double)n);
    if (a == NULL || b == NULL || c == NULL) return NULL;
    if (m == 0 || n == 0) continue;
    if (k == 0) {
      // BLAS may skip the beta scaling when k = 0; the product of empty operands is zero.
      if (beta == 0) for (int64_t j = 0; j < m * n; j++) c[j] = 0;
      continue;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                (int)n, (int)k, 1.0f, a, lda, b, ldb, (float)beta, c, (int)n);
  }
  return NULL;
}
