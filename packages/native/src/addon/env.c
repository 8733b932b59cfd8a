/*
 * localbp_env: sets or removes a variable of the process's real environment. OpenBLAS reads OPENBLAS_CORETYPE once,
 * when the main addon loads it; in a worker thread process.env is the worker's own copy and never reaches getenv(),
 * so the loader goes through this (OpenBLAS-free) addon before it loads the main one, and afterwards takes the
 * variable away again so that child processes do not inherit it.
 */
#define _POSIX_C_SOURCE 200112L
#include <node_api.h>
#include <stdlib.h>

/* Reads argument `index` as a short string into `out`; throws and returns 0 when it is not one. */
static int string_arg(napi_env env, napi_value *argv, size_t argc, size_t index, char *out, size_t size) {
  size_t length;
  if (index >= argc || napi_get_value_string_utf8(env, argv[index], out, size, &length) != napi_ok || length + 1 >= size) {
    napi_throw_type_error(env, NULL, "localbp-env: expected a string of under 64 characters");
    return 0;
  }
  return 1;
}

static napi_value set_env(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char name[64];
  char value[64];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (!string_arg(env, argv, argc, 0, name, sizeof(name)) || !string_arg(env, argv, argc, 1, value, sizeof(value))) return NULL;
  if (setenv(name, value, 1) != 0) napi_throw_error(env, NULL, "localbp-env: setenv failed");
  return NULL;
}

static napi_value unset_env(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[64];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (!string_arg(env, argv, argc, 0, name, sizeof(name))) return NULL;
  if (unsetenv(name) != 0) napi_throw_error(env, NULL, "localbp-env: unsetenv failed");
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "setenv", NAPI_AUTO_LENGTH, set_env, NULL, &fn);
  napi_set_named_property(env, exports, "setenv", fn);
  napi_create_function(env, "unsetenv", NAPI_AUTO_LENGTH, unset_env, NULL, &fn);
  napi_set_named_property(env, exports, "unsetenv", fn);
  return exports;
}
