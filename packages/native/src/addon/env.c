/*
 * localbp_env: sets a variable in the process's real environment. OpenBLAS reads OPENBLAS_CORETYPE once, when the
 * main addon loads it; in a worker thread process.env is the worker's own copy and never reaches getenv(), so the
 * loader sets the variable through this (OpenBLAS-free) addon before it loads the main one.
 */
#define _POSIX_C_SOURCE 200112L
#include <node_api.h>
#include <stdlib.h>

static napi_value set_env(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char name[64];
  char value[64];
  size_t length;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], name, sizeof(name), &length) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], value, sizeof(value), &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "localbp-env: setenv takes two strings");
    return NULL;
  }
  if (setenv(name, value, 1) != 0) napi_throw_error(env, NULL, "localbp-env: setenv failed");
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "setenv", NAPI_AUTO_LENGTH, set_env, NULL, &fn);
  napi_set_named_property(env, exports, "setenv", fn);
  return exports;
}
