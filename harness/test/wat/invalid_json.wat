;; Returns success with a response that is not valid JSON.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"accepted\": tru")
  (func (export "__guest_call") (param i32 i32) (result i32)
    (call $guest_response (i32.const 16) (i32.const 16))
    (i32.const 1))
)
