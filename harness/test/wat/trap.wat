;; Sets a guest error (as an AssemblyScript custom abort does) and then traps: the trap text
;; replaces the guest error, as in wasmtime-provider.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "custom abort: something broke")
  (func (export "__guest_call") (param i32 i32) (result i32)
    (call $guest_error (i32.const 16) (i32.const 29))
    unreachable)
)
