{
  "targets": [
    {
      "target_name": "localbp_native",
      "sources": [
        "src/addon/addon.c",
        "src/addon/heap.c",
        "src/addon/gemm.c",
        "src/addon/epilogue.c",
        "src/addon/conv.c",
        "src/addon/adamw.c",
        "src/addon/reduce.c",
        "src/addon/layer-norm.c"
      ],
      "cflags": ["-O3", "-std=c11", "-fno-math-errno", "-Wall", "-Wextra"],
      "conditions": [
        ["OS=='linux'", {
          "include_dirs": ["/usr/include/x86_64-linux-gnu", "/usr/include/aarch64-linux-gnu", "/usr/include/openblas"],
          "libraries": ["-lopenblas"]
        }],
        ["OS=='mac'", {
          "include_dirs": ["<!(brew --prefix openblas 2>/dev/null || echo /usr/local/opt/openblas)/include"],
          "libraries": ["-L<!(brew --prefix openblas 2>/dev/null || echo /usr/local/opt/openblas)/lib", "-lopenblas"],
          "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=c11"] }
        }]
      ]
    },
    {
      "target_name": "localbp_env",
      "sources": ["src/addon/env.c"],
      "cflags": ["-O2", "-std=c11", "-Wall", "-Wextra"]
    }
  ]
}
