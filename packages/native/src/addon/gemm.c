#include <cblas.h>
#include "heap.h"
#include "kernels.h"
#include "share.h"

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

/* One product and how it is cut: `split_n` cuts C's columns (re-packing A per block), else C's rows (re-packing B). */
typedef struct {
  int trans_a, trans_b, m, n, k, lda, ldb;
  const float *a, *b;
  float *c;
  float beta;
  int split_n, per;
} gemm_t;

/*
 * How many blocks a product is cut into: a function of its shape only, so every thread count computes the same
 * calls. Large products get up to 4 (about 2% slower alone, measured on OpenBLAS 0.3.21), small ones are not cut;
 * cutting the longer of C's two sides keeps the re-packed operand the smaller one.
 */
static int gemm_blocks(gemm_t *g) {
  const double macs = (double)g->m * (double)g->n * (double)g->k;
  int blocks = macs >= (double)(1 << 24) ? 4 : macs >= (double)(1 << 22) ? 2 : 1;
  g->split_n = g->m <= g->n;
  const int total = g->split_n ? g->n : g->m;
  // Each block re-packs the operand it does not cut: blocks narrower than 192 would spend more on packing than they save.
  if (blocks > total / 192) blocks = total / 192 > 0 ? total / 192 : 1;
  // Block edges on multiples of 16, the width of the sgemm micro-kernels.
  g->per = ((total + blocks - 1) / blocks + 15) / 16 * 16;
  if (g->per <= 0) g->per = total;
  blocks = (total + g->per - 1) / g->per;
  return blocks < 1 ? 1 : blocks;
}

static void gemm_block(void *context, int block) {
  const gemm_t *g = (const gemm_t *)context;
  const int start = block * g->per;
  const int total = g->split_n ? g->n : g->m;
  const int width = total - start < g->per ? total - start : g->per;
  if (width <= 0) return;
  const enum CBLAS_TRANSPOSE ta = g->trans_a ? CblasTrans : CblasNoTrans;
  const enum CBLAS_TRANSPOSE tb = g->trans_b ? CblasTrans : CblasNoTrans;
  if (g->split_n) {
    const float *b = g->trans_b ? g->b + (size_t)start * g->k : g->b + start;
    cblas_sgemm(CblasRowMajor, ta, tb, g->m, width, g->k, 1.0f, g->a, g->lda, b, g->ldb, g->beta, g->c + start, g->n);
  } else {
    const float *a = g->trans_a ? g->a + start : g->a + (size_t)start * g->k;
    cblas_sgemm(CblasRowMajor, ta, tb, width, g->n, g->k, 1.0f, a, g->lda, g->b, g->ldb, g->beta, g->c + (size_t)start * g->n, g->n);
  }
}

void blocked_sgemm(int trans_a, int trans_b, int m, int n, int k, const float *a, const float *b, float *c, float beta) {
  gemm_t g = {trans_a, trans_b, m, n, k, trans_a ? m : k, trans_b ? k : n, a, b, c, beta, 0, 0};
  share_run(gemm_block, &g, gemm_blocks(&g));
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
    blocked_sgemm(trans_a, trans_b, (int)m, (int)n, (int)k, a, b, c, (float)beta);
  }
  return NULL;
}
