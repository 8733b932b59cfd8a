#include <cblas.h>
#include <string.h>
#include "heap.h"
#include "kernels.h"

/* NHWC conv geometry, passed from JS as an Int32Array in this order. */
typedef struct {
  int n, h, w, cin, kh, kw, cout, oh, ow, sh, sw, pt, pl, dh, dw;
} geometry_t;

/* The im2col workspace is capped so a large batch is processed in slices of whole images. */
#define SCRATCH_BYTES_PER_SLICE ((size_t)8 << 20)

static int geometry_arg(napi_env env, napi_value value, geometry_t *g) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (!is_typed || napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_int32_array || length != 15) {
    napi_throw_type_error(env, NULL, "localbp-native: conv geometry must be an Int32Array of 15");
    return 0;
  }
  memcpy(g, data, sizeof(*g));
  const int *v = (const int *)data;
  for (int i = 0; i < 15; i++) {
    // Pads may be 0; every other field is a positive size.
    if (v[i] < 0 || (v[i] == 0 && i != 11 && i != 12)) {
      napi_throw_range_error(env, NULL, "localbp-native: invalid conv geometry");
      return 0;
    }
  }
  return 1;
}

/* Rows of the column matrix for one image, columns ordered (kh, kw, cin) like a [KH, KW, Cin, Cout] filter. */
static void im2col(const geometry_t *g, const float *x, float *col) {
  const size_t kcols = (size_t)g->kh * g->kw * g->cin;
  const size_t span = (size_t)g->cin * sizeof(float);
  for (int oy = 0; oy < g->oh; oy++) {
    for (int ox = 0; ox < g->ow; ox++) {
      float *row = col + ((size_t)oy * g->ow + ox) * kcols;
      for (int ky = 0; ky < g->kh; ky++) {
        const int iy = oy * g->sh - g->pt + ky * g->dh;
        for (int kx = 0; kx < g->kw; kx++) {
          const int ix = ox * g->sw - g->pl + kx * g->dw;
          float *dst = row + ((size_t)ky * g->kw + kx) * g->cin;
          if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) {
            memset(dst, 0, span);
          } else {
            memcpy(dst, x + ((size_t)iy * g->w + ix) * g->cin, span);
          }
        }
      }
    }
  }
}

/* The adjoint of im2col: adds each column-matrix row back onto the input positions it was read from. */
static void col2im_add(const geometry_t *g, const float *col, float *dx) {
  const size_t kcols = (size_t)g->kh * g->kw * g->cin;
  for (int oy = 0; oy < g->oh; oy++) {
    for (int ox = 0; ox < g->ow; ox++) {
      const float *row = col + ((size_t)oy * g->ow + ox) * kcols;
      for (int ky = 0; ky < g->kh; ky++) {
        const int iy = oy * g->sh - g->pt + ky * g->dh;
        if (iy < 0 || iy >= g->h) continue;
        for (int kx = 0; kx < g->kw; kx++) {
          const int ix = ox * g->sw - g->pl + kx * g->dw;
          if (ix < 0 || ix >= g->w) continue;
          const float *src = row + ((size_t)ky * g->kw + kx) * g->cin;
          float *dst = dx + ((size_t)iy * g->w + ix) * g->cin;
          for (int c = 0; c < g->cin; c++) dst[c] += src[c];
        }
      }
    }
  }
}

/* A filter that reads each input pixel exactly once, in order: the column matrix is the input itself. */
static int is_pointwise(const geometry_t *g) {
  return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && g->oh == g->h &&
         g->ow == g->w;
}

typedef struct {
  geometry_t g;
  size_t image_in, image_out, kcols, pixels_out, slice;
} plan_t;

static void make_plan(const geometry_t *g, plan_t *p) {
  p->g = *g;
  p->image_in = (size_t)g->h * g->w * g->cin;
  p->pixels_out = (size_t)g->oh * g->ow;
  p->image_out = p->pixels_out * g->cout;
  p->kcols = (size_t)g->kh * g->kw * g->cin;
  const size_t col_bytes = p->pixels_out * p->kcols * sizeof(float);
  p->slice = col_bytes == 0 ? 1 : SCRATCH_BYTES_PER_SLICE / col_bytes;
  if (p->slice < 1) p->slice = 1;
  if (p->slice > (size_t)g->n) p->slice = (size_t)g->n;
}

/* Reads (heap, offset, offset, offset, geometry) and checks the three tensor views. */
static int conv_args(napi_env env, napi_callback_info info, plan_t *p, float **t0, float **t1, float **t2,
                     const int sizes[3]) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "localbp-native: conv kernels take 5 arguments");
    return 0;
  }
  heap_t heap;
  double o0, o1, o2;
  geometry_t g;
  if (!heap_from_value(env, argv[0], &heap) || !arg_double(env, argv[1], &o0) || !arg_double(env, argv[2], &o1) ||
      !arg_double(env, argv[3], &o2) || !geometry_arg(env, argv[4], &g)) {
    return 0;
  }
  make_plan(&g, p);
  const double x_count = (double)g.n * p->image_in;
  const double w_count = (double)p->kcols * g.cout;
  const double y_count = (double)g.n * p->image_out;
  const double counts[3] = {x_count, w_count, y_count};
  *t0 = heap_floats(env, &heap, o0, counts[sizes[0]]);
  if (*t0 == NULL) return 0;
  *t1 = heap_floats(env, &heap, o1, counts[sizes[1]]);
  if (*t1 == NULL) return 0;
  *t2 = heap_floats(env, &heap, o2, counts[sizes[2]]);
  return *t2 != NULL;
}

enum { X = 0, W = 1, Y = 2 };

/* One kernel: the GEMM for a 1x1 filter (no column matrix), and the work on one slice of whole images. */
typedef struct {
  int sizes[3]; /* which of X, W, Y each of the three tensor arguments is */
  void (*pointwise)(const plan_t *p, float *t0, float *t1, float *t2);
  void (*slice)(const plan_t *p, float *col, size_t n0, size_t images, float *t0, float *t1, float *t2);
  void (*prepare)(const plan_t *p, float *t0, float *t1, float *t2); /* before the slices, may be NULL */
} conv_kernel_t;

static napi_value run_conv(napi_env env, napi_callback_info info, const conv_kernel_t *kernel) {
  plan_t p;
  float *t0, *t1, *t2;
  int sizes[3] = {kernel->sizes[0], kernel->sizes[1], kernel->sizes[2]};
  if (!conv_args(env, info, &p, &t0, &t1, &t2, sizes)) return NULL;
  if (is_pointwise(&p.g)) {
    kernel->pointwise(&p, t0, t1, t2);
    return NULL;
  }
  float *col = scratch_floats(env, p.slice * p.pixels_out * p.kcols);
  if (col == NULL) return NULL;
  if (kernel->prepare != NULL) kernel->prepare(&p, t0, t1, t2);
  for (size_t n0 = 0; n0 < (size_t)p.g.n; n0 += p.slice) {
    const size_t images = (size_t)p.g.n - n0 < p.slice ? (size_t)p.g.n - n0 : p.slice;
    kernel->slice(&p, col, n0, images, t0, t1, t2);
  }
  return NULL;
}

static void im2col_slice(const plan_t *p, const float *x, size_t n0, size_t images, float *col) {
  for (size_t i = 0; i < images; i++) im2col(&p->g, x + (n0 + i) * p->image_in, col + i * p->pixels_out * p->kcols);
}

/* Forward: y = im2col(x) · W. Arguments (x, w, y). */
static void forward_pointwise(const plan_t *p, float *x, float *w, float *y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)((size_t)p->g.n * p->pixels_out), p->g.cout,
              (int)p->kcols, 1.0f, x, (int)p->kcols, w, p->g.cout, 0.0f, y, p->g.cout);
}

static void forward_slice(const plan_t *p, float *col, size_t n0, size_t images, float *x, float *w, float *y) {
  im2col_slice(p, x, n0, images, col);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(images * p->pixels_out), p->g.cout, (int)p->kcols,
              1.0f, col, (int)p->kcols, w, p->g.cout, 0.0f, y + n0 * p->image_out, p->g.cout);
}

/* Backprop input: dx = col2im(dy · Wᵀ). Arguments (dy, w, dx). */
static void input_pointwise(const plan_t *p, float *dy, float *w, float *dx) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)((size_t)p->g.n * p->pixels_out), (int)p->kcols,
              p->g.cout, 1.0f, dy, p->g.cout, w, p->g.cout, 0.0f, dx, (int)p->kcols);
}

static void input_prepare(const plan_t *p, float *dy, float *w, float *dx) {
  (void)dy;
  (void)w;
  memset(dx, 0, (size_t)p->g.n * p->image_in * sizeof(float));
}

static void input_slice(const plan_t *p, float *col, size_t n0, size_t images, float *dy, float *w, float *dx) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(images * p->pixels_out), (int)p->kcols, p->g.cout, 1.0f,
              dy + n0 * p->image_out, p->g.cout, w, p->g.cout, 0.0f, col, (int)p->kcols);
  for (size_t i = 0; i < images; i++) {
    col2im_add(&p->g, col + i * p->pixels_out * p->kcols, dx + (n0 + i) * p->image_in);
  }
}

/* Backprop filter: dW = Σ im2col(x)ᵀ · dy over the batch. Arguments (x, dy, dw). */
static void filter_pointwise(const plan_t *p, float *x, float *dy, float *dw) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p->kcols, p->g.cout,
              (int)((size_t)p->g.n * p->pixels_out), 1.0f, x, (int)p->kcols, dy, p->g.cout, 0.0f, dw, p->g.cout);
}

static void filter_slice(const plan_t *p, float *col, size_t n0, size_t images, float *x, float *dy, float *dw) {
  im2col_slice(p, x, n0, images, col);
  // The first slice overwrites dW, the later ones accumulate into it.
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p->kcols, p->g.cout, (int)(images * p->pixels_out), 1.0f,
              col, (int)p->kcols, dy + n0 * p->image_out, p->g.cout, n0 == 0 ? 0.0f : 1.0f, dw, p->g.cout);
}

static const conv_kernel_t FORWARD = {{X, W, Y}, forward_pointwise, forward_slice, NULL};
static const conv_kernel_t BACKPROP_INPUT = {{Y, W, X}, input_pointwise, input_slice, input_prepare};
static const conv_kernel_t BACKPROP_FILTER = {{X, Y, W}, filter_pointwise, filter_slice, NULL};

/* conv2dForward(heap, xOffset, filterOffset, yOffset, geometry) */
napi_value conv2d_forward(napi_env env, napi_callback_info info) { return run_conv(env, info, &FORWARD); }

/* conv2dBackpropInput(heap, dyOffset, filterOffset, dxOffset, geometry) */
napi_value conv2d_backprop_input(napi_env env, napi_callback_info info) { return run_conv(env, info, &BACKPROP_INPUT); }

/* conv2dBackpropFilter(heap, xOffset, dyOffset, dwOffset, geometry) */
napi_value conv2d_backprop_filter(napi_env env, napi_callback_info info) {
  return run_conv(env, info, &BACKPROP_FILTER);
}
