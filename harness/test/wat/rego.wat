;; OPA/Gatekeeper Rego shape: exports opa_* functions. idgov must refuse it.
(module
  (memory (export "memory") 1)
  (func (export "opa_eval") (param i32 i32 i32 i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "opa_malloc") (param i32) (result i32) (i32.const 0))
  (func (export "opa_heap_ptr_get") (result i32) (i32.const 0))
)
