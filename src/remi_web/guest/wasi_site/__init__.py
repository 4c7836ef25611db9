"""Stand-ins for packages that have no WebAssembly (WASI) build, used only inside components.

`remi build` puts this directory first on the guest's module path. pydantic-core is a Rust
extension with no `wasm32-wasi` build (docs/wasm.md, "Why a stand-in"), so:

- `_remi_pydantic` is remi-web's pure-Python implementation of the part of pydantic 2.14 it
  supports, behaving as pydantic does there (tests/wasm/test_guest_pydantic_differential.py
  holds it to that against real pydantic);
- `pydantic` and `pydantic_core` are façades over it: the names it has, and for any other
  name, submodule, `Field`/`ConfigDict` argument or type, a `GuestPydanticUnsupported` error
  where it is used, naming the feature and the stand-in as the reason.

The core and agent code import `pydantic` as usual. Nothing imports these natively (the
tests do, with this directory on `PYTHONPATH`).
"""
