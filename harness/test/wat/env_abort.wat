;; AssemblyScript default build shape: imports env.abort, which Kubewarden's linker cannot provide.
(module
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "__guest_call") (param i32 i32) (result i32)
    (call $abort (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))
    (i32.const 0))
)
