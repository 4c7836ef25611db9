"""Stand-ins for packages that have no WebAssembly (WASI) build, used only inside components.

`remi build` puts this directory first on the guest's module path, so `import pydantic` in
the remi-web core finds the small pure-Python `pydantic` and `pydantic_core` here instead of
the native ones (pydantic-core is a Rust extension and PyPI has no `wasm32-wasi` wheel).
They cover exactly what the core and `@tool` use: dataclass validation and JSON, argument
models with JSON Schema, and the JSON helpers. Nothing imports them natively.
"""
