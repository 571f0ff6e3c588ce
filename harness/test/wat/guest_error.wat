;; Returns 0 after __guest_error with a non-ASCII (UTF-8) message.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "boom: \c3\a9chec \c3\bcn\c3\afc\c3\b6d\c3\a9")
  (func (export "__guest_call") (param i32 i32) (result i32)
    (call $guest_error (i32.const 16) (i32.const 24))
    (i32.const 0))
)
